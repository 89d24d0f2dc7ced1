"""
End to end: a mode added as one module in a plugin directory of its own
(the README's example) serves a client through `twistd -n tpreactor`.
"""

import os
import re
from pathlib import Path

from twisted.internet import defer, error, protocol, reactor
from twisted.python.filepath import FilePath
from twisted.trial.unittest import TestCase

from .support import DEADLINE_SECONDS, LISTENING, TWISTD, freePort, temporaryFolder
from .twistedclient import connect

README = Path(__file__).resolve().parent.parent / "README.md"
WELCOME = "Servidor: Conexión establecida el"
REPLY = "Mensaje Recibido el"
GOODBYE = "Servidor: Conexión finalizada. Tiempo total de conexión: "


def readmeExample():
    """
    The module the README's "Adding a mode" section shows, and its name.
    """
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Adding a mode\n", 1)[1].split("\n## ", 1)[0]
    source = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    path = re.search(r"`~/modes/(tpreactor/plugins/\w+\.py)`", section).group(1)
    name = re.search(r'^    name = "(\w+)"$', source, re.M).group(1)
    return path, source, name


class ServerOutput(protocol.ProcessProtocol):
    """
    Collects a server's output; C{listening} fires with the port once it
    listens, C{ended} when the process is gone.
    """

    def __init__(self):
        self.output = ""
        self.listening = defer.Deferred()
        self.ended = defer.Deferred()

    def outReceived(self, data):
        self.output += data.decode("utf-8", "replace")
        match = LISTENING.search(self.output)
        if match and not self.listening.called:
            self.listening.callback(int(match.group(2)))

    errReceived = outReceived

    def processEnded(self, reason):
        if not self.listening.called:
            self.listening.errback(AssertionError(f"server exited before listening:\n{self.output}"))
        self.ended.callback(reason.value)


class DroppedInModeTests(TestCase):
    timeout = 4 * DEADLINE_SECONDS

    @defer.inlineCallbacks
    def test_readmeExampleServesAClient(self):
        """
        With the README's module in a tpreactor/plugins/ folder on
        PYTHONPATH, `twistd -n tpreactor --mode=onethread` welcomes a client,
        answers it and says goodbye, and exits cleanly on SIGTERM.
        """
        relative, source, name = readmeExample()
        root = temporaryFolder(self)
        module = FilePath(root).preauthChild(relative)
        module.parent().makedirs()
        module.setContent(source.encode("utf-8"))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
                   PYTHONUNBUFFERED="1")
        server = ServerOutput()
        process = reactor.spawnProcess(
            server, TWISTD,
            [TWISTD, "--pidfile=", "-n", "tpreactor", f"--mode={name}", "--work", "0.01",
             "--port", str(freePort())],
            env=env, path=root,
        )

        def stop():
            if not server.ended.called:
                process.signalProcess("KILL")
                return server.ended

        self.addCleanup(stop)
        port = yield server.listening.addTimeout(DEADLINE_SECONDS, reactor)
        self.assertIn(f"Servidor en modo {name} escuchando en 127.0.0.1:{port}", server.output)
        client = yield connect(port)
        self.assertTrue((yield client.line()).startswith(WELCOME))
        self.assertTrue((yield client.ask("hola")).startswith(REPLY))
        self.assertTrue((yield client.ask("salir")).startswith(GOODBYE))
        yield client.closed.addTimeout(DEADLINE_SECONDS, reactor)
        process.signalProcess("TERM")
        ended = yield server.ended.addTimeout(DEADLINE_SECONDS, reactor)
        self.assertIsInstance(ended, error.ProcessDone, server.output)
        self.assertNotIn("Traceback", server.output)
