"""
Tests for L{tpreactor.bench.servermodes}: the bench's C{--modes} takes the
server's modes, plugins included, without importing the server.
"""

import argparse
import os
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.bench import cli
from tpreactor.bench.servermodes import ServerModes
from tpreactor.modes import allModes

from .support import temporaryFolder

ECHO = '''\
from tpreactor.modes import Mode, makeWork
from tpreactor.work import InlineExecutor


class EchoMode(Mode):
    name = "echo"
    summary = "a test mode"

    def makeExecutor(self, settings, reactor):
        return InlineExecutor(makeWork(settings))


echo = EchoMode()
'''


def setEnvironment(testCase, name, value):
    """
    Set C{name} in the environment subprocesses get, for C{testCase}.
    """
    before = os.environ.get(name)
    os.environ[name] = value
    testCase.addCleanup(lambda: os.environ.pop(name) if before is None else os.environ.update({name: before}))


class ServerModesTests(SynchronousTestCase):
    def test_theServersModes(self):
        """
        The names are the server's modes, in the server's order.
        """
        self.assertEqual(list(ServerModes()), [m.name for m in allModes()])

    def test_pluginModeIsAccepted(self):
        """
        A mode in a plugin directory on PYTHONPATH is one --modes accepts.
        """
        root = temporaryFolder(self)
        os.makedirs(os.path.join(root, "tpreactor", "plugins"))
        with open(os.path.join(root, "tpreactor", "plugins", "echo_mode.py"), "w") as f:
            f.write(ECHO)
        setEnvironment(self, "PYTHONPATH", root)
        parse = cli._list(ServerModes())
        self.assertEqual(parse("reactor,echo"), ["reactor", "echo"])
        with self.assertRaises(argparse.ArgumentTypeError) as raised:
            parse("threads")
        self.assertEqual(str(raised.exception), "unknown threads; choose from reactor, serial, processes, echo")

    def test_askedOnce(self):
        """
        The server is asked the first time the names are needed, and only then.
        """
        modes = ServerModes([sys.executable, "-c", "print('a b')"])
        calls = []
        real = subprocess.run
        self.patch(subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
        self.assertEqual(calls, [])
        self.assertIn("a", modes)
        self.assertNotIn("c", modes)
        self.assertEqual(list(modes), ["a", "b"])
        self.assertEqual(len(calls), 1)

    def test_serverThatCannotBeAskedLetsEveryNameThrough(self):
        """
        When the server cannot be asked, any name passes: the server says
        what is wrong when it starts.
        """
        for command in ([sys.executable, "-c", "raise SystemExit(1)"], ["/nonexistent/python"]):
            modes = ServerModes(command)
            self.assertIn("anything", modes)
            self.assertEqual(list(modes), [])

    def test_benchDoesNotImportTheModes(self):
        """
        Parsing --modes leaves the server's modes unimported in the bench.
        """
        check = ("import sys; from tpreactor.bench import cli; cli.makeParser().parse_args(['--modes', 'serial']);"
                 " print('tpreactor.modes' in sys.modules, 'tpreactor.plugins' in sys.modules)")
        result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.stdout.split(), ["False", "False"], result.stderr)
