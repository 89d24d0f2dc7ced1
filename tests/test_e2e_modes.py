"""
End to end: a mode added as one module in a plugin directory of its own
(the example in docs/modes.md) serves a client through `twistd -n tpreactor`.
"""

import os
import re
import signal
from pathlib import Path

from twisted.python.filepath import FilePath
from twisted.trial.unittest import SynchronousTestCase

from .contract import GOODBYE, REPLY, WELCOME
from .support import LineClient, ServerProcess, temporaryFolder

MODES = Path(__file__).resolve().parent.parent / "docs" / "modes.md"


def documentedExample():
    """
    The module that docs/modes.md's "Adding a mode" section shows, and its name.
    """
    text = MODES.read_text(encoding="utf-8")
    section = text.split("\n## Adding a mode\n", 1)[1].split("\n## ", 1)[0]
    source = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    path = re.search(r"`~/modes/(tpreactor/plugins/\w+\.py)`", section).group(1)
    name = re.search(r'^    name = "(\w+)"$', source, re.M).group(1)
    return path, source, name


class DroppedInModeTests(SynchronousTestCase):
    def test_documentedExampleServesAClient(self):
        """
        With docs/modes.md's module in a tpreactor/plugins/ folder on
        PYTHONPATH, `twistd -n tpreactor --mode=onethread` welcomes a client,
        answers it and says goodbye, and exits cleanly on SIGTERM.
        """
        relative, source, name = documentedExample()
        root = temporaryFolder(self)
        module = FilePath(root).preauthChild(relative)
        module.parent().makedirs()
        module.setContent(source.encode("utf-8"))
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        with ServerProcess("--mode", name, "--work", "0.01", env={"PYTHONPATH": path}, cwd=root) as server:
            self.assertIn(f"Servidor en modo {name} escuchando en 127.0.0.1:{server.port}", server.text)
            with LineClient(server.port) as client:
                self.assertTrue(client.line().startswith(WELCOME))
                self.assertTrue(client.ask("hola").startswith(REPLY))
                self.assertTrue(client.ask("salir").startswith(GOODBYE))
                self.assertIsNone(client.line())
            server.signal(signal.SIGTERM)
            self.assertEqual(server.wait(), 0)
        self.assertNotIn("Traceback", server.text)
