"""
End to end: with no C{--logger}, C{twistd tpreactor} writes the same lines
as before, where it wrote them before: a C{--logfile} rotated on C{SIGUSR1},
and C{--logger} still overrides.
"""

import os
import re
import signal
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

from .support import LineClient, ServerProcess, temporaryFolder

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"
ROOT = str(Path(__file__).resolve().parent.parent)


def session(port):
    """
    One client: welcome, one message, salir; its port.
    """
    with LineClient(port) as client:
        client.line()
        client.ask("hola")
        client.ask("salir")
        return client.localPort


class FileLogged(ServerProcess):
    """
    A server given C{--logfile PATH}: its text is that file's, and what it
    wrote to standard output is L{stdout}.
    """

    def __init__(self, path):
        ServerProcess.__init__(self, twistdArgs=[f"--logfile={path}"])
        self.path = path

    @property
    def stdout(self):
        return self.output.decode("utf-8", "replace")

    @property
    def text(self):
        try:
            return Path(self.path).read_text("utf-8")
        except FileNotFoundError:
            return ""


class DefaultLogTests(SynchronousTestCase):
    def test_logFileAndRotation(self):
        """
        C{--logfile FILE} gets twistd's lines, time stamp and tag included,
        nothing goes to standard output, and C{SIGUSR1} rotates the file.
        """
        path = os.path.join(temporaryFolder(self), "server.log")
        with FileLogged(path) as server:
            port = session(server.port)
            server.waitFor(f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
            text = server.text
            for line in (f"Conexión establecida con IP: 127.0.0.1 y Puerto: {port}",
                         f"Mensaje recibido de 127.0.0.1:{port}: hola",
                         f"Cliente 127.0.0.1:{port} ha cerrado la conexión."):
                self.assertRegex(text, rf"(?m)^{STAMP} \[tpreactor#info\] {re.escape(line)}$")
            self.assertRegex(text, rf"(?m)^{STAMP} \[twisted\.scripts\._twistd_unix\.UnixAppLogger#info\] twistd ")
            server.signal(signal.SIGUSR1)
            for _ in range(150):
                if os.path.exists(path + ".1"):
                    break
                server.read(0.1)
            port = session(server.port)
            server.waitFor(f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
            rotated = Path(path + ".1").read_text("utf-8")
            self.assertIn("escuchando en", rotated)
            self.assertNotIn("escuchando en", server.text)
            server.signal(signal.SIGTERM)
            self.assertEqual(server.wait(), 0)
            self.assertNotIn("Traceback", server.text)
            self.assertNotIn("tpreactor#info", server.stdout)

    def test_loggerOverrides(self):
        """
        C{--logger} is still the observer twistd uses.
        """
        env = {"PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
        with ServerProcess(twistdArgs=["--logger=tests.markedlog.observer"], env=env) as server:
            port = session(server.port)
            server.waitFor(f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
        self.assertIn(f"MARK Cliente 127.0.0.1:{port} ha cerrado la conexión.", server.text)
        self.assertNotRegex(server.text, rf"(?m)^{STAMP} \[tpreactor#info\]")

    def test_defaultCommand(self):
        """
        C{twistd -n tpreactor} writes the console lines to standard output.
        """
        with ServerProcess() as server:
            port = session(server.port)
            line = server.waitFor(re.compile(rf"(?m)^{STAMP} \[tpreactor#info\] Cliente 127.0.0.1:{port} ha cerrado la conexión\.$"))
        self.assertTrue(line)
        self.assertRegex(server.text, rf"(?m)^{STAMP} \[tpreactor#info\] Mensaje recibido de 127.0.0.1:{port}: hola$")


class DaemonTests(SynchronousTestCase):
    def test_daemonLogsToTwistdLog(self):
        """
        A daemon (no C{-n}) with no C{--logfile} writes twistd's lines to
        C{twistd.log} in its directory, as before.
        """
        import subprocess

        from .support import TWISTD, freePort, until

        folder = temporaryFolder(self)
        port = freePort()
        pidFile = os.path.join(folder, "twistd.pid")
        subprocess.run([TWISTD, f"--pidfile={pidFile}", "tpreactor", "--port", str(port)], cwd=folder,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=True)
        logPath = os.path.join(folder, "twistd.log")

        def text():
            return Path(logPath).read_text("utf-8") if os.path.exists(logPath) else ""

        until(lambda: "escuchando en" in text(), "the daemon listening")
        pid = int(Path(pidFile).read_text())
        try:
            clientPort = session(port)
            line = f"Cliente 127.0.0.1:{clientPort} ha cerrado la conexión."
            until(lambda: line in text(), line)
            self.assertRegex(text(), rf"(?m)^{STAMP} \[tpreactor#info\] {re.escape(line)}$")
        finally:
            os.kill(pid, signal.SIGTERM)
            # twistd removes its pid file, then writes its last line.
            until(lambda: "Server Shut Down." in text(), "the daemon's last line")
        self.assertIn("Server Shut Down.", text())
        self.assertNotIn("Traceback", text())
