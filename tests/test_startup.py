"""
Tests for L{tpreactor.startup}: the log file, pid file and unix socket
folder twistd would fail on are one clear line before it tries them.
"""

import os

from twisted.internet.testing import MemoryReactor
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.commandline import StartupError
from tpreactor.endpoints import parseEndpoint
from tpreactor.messages import catalogue
from tpreactor.startup import checkSocketFolder, checkTwistdFiles, fileProblem

from .support import temporaryFolder
from .test_commandline import twistd

SPANISH = catalogue("es")
ENGLISH = catalogue("en")


class FileProblemTests(SynchronousTestCase):
    def test_problems(self):
        """
        A missing folder, a folder where the file should be, and a file
        where its folder should be, each say so; a writable place is fine.
        """
        folder = temporaryFolder(self)
        aFile = os.path.join(folder, "f")
        open(aFile, "w").close()
        missing = os.path.join(folder, "missing")
        self.assertEqual(fileProblem(os.path.join(missing, "x.log"), ENGLISH), f"the folder {missing} does not exist")
        self.assertEqual(fileProblem(folder, SPANISH), "es una carpeta")
        self.assertEqual(fileProblem(os.path.join(aFile, "x.pid"), ENGLISH), f"{aFile} is not a folder")
        self.assertIsNone(fileProblem(os.path.join(folder, "x.log"), SPANISH))
        self.assertIsNone(fileProblem(aFile, SPANISH))

    def test_twistdFiles(self):
        """
        twistd's --logfile and --pidfile are checked; "-" (stdout) and an
        empty pid file name are not files.
        """
        checkTwistdFiles({"logfile": "-", "pidfile": ""}, SPANISH)
        checkTwistdFiles({"logfile": None, "pidfile": None}, SPANISH)
        with self.assertRaises(StartupError) as raised:
            checkTwistdFiles({"logfile": "/nonexistent/x.log", "pidfile": ""}, SPANISH)
        self.assertEqual(
            str(raised.exception), "tpreactor: no se puede escribir el registro en /nonexistent/x.log: "
                                   "la carpeta /nonexistent no existe",
        )
        with self.assertRaises(StartupError) as raised:
            checkTwistdFiles({"logfile": None, "pidfile": "/nonexistent/x.pid"}, ENGLISH)
        self.assertEqual(
            str(raised.exception), "tpreactor: cannot write the pid file /nonexistent/x.pid: "
                                   "the folder /nonexistent does not exist",
        )

    def test_socketFolder(self):
        """
        A unix socket in a folder that is not there is one line; a TCP
        endpoint and an abstract socket have no folder to check.
        """
        reactor = MemoryReactor()
        description = "unix:/nonexistent/dir/s.sock"
        with self.assertRaises(StartupError) as raised:
            checkSocketFolder(description, parseEndpoint(reactor, description), SPANISH)
        self.assertEqual(
            str(raised.exception),
            "tpreactor: no se puede escuchar en unix:/nonexistent/dir/s.sock: la carpeta /nonexistent/dir no existe",
        )
        checkSocketFolder("tcp:0", parseEndpoint(reactor, "tcp:0"), SPANISH)
        checkSocketFolder("unix:@abstract", parseEndpoint(reactor, "unix:@abstract"), SPANISH)

    def test_socketFolderBehindProxy(self):
        """
        A unix socket read with the PROXY protocol has its folder checked too.
        """
        description = "haproxy:unix:/nonexistent/dir/s.sock"
        with self.assertRaises(StartupError) as raised:
            checkSocketFolder(description, parseEndpoint(MemoryReactor(), description), SPANISH)
        self.assertIn("la carpeta /nonexistent/dir no existe", str(raised.exception))


class TwistdStartupTests(SynchronousTestCase):
    """
    A real twistd with a log file, pid file or unix socket it cannot make:
    one line in the server's language, exit status 1, no traceback.
    """

    def assertOneLine(self, result, line):
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 1, output)
        self.assertEqual(output.splitlines(), [line])

    def test_logfileInAMissingFolder(self):
        """
        --logfile in a folder that does not exist is one Spanish line.
        """
        result = twistd(self, twistdArgs=("--pidfile=", "--logfile=/nonexistent/dir/x.log"))
        self.assertOneLine(
            result, "tpreactor: no se puede escribir el registro en /nonexistent/dir/x.log: "
                    "la carpeta /nonexistent/dir no existe",
        )

    def test_logfileIsAFolder(self):
        """
        --logfile naming a folder is one line, English with --lang en.
        """
        folder = temporaryFolder(self)
        result = twistd(self, "--lang", "en", twistdArgs=("--pidfile=", f"--logfile={folder}"))
        self.assertOneLine(result, f"tpreactor: cannot write the log to {folder}: it is a folder")

    def test_pidfileInAMissingFolder(self):
        """
        --pidfile in a folder that does not exist is one Spanish line.
        """
        result = twistd(self, twistdArgs=("--pidfile=/nonexistent/dir/x.pid",))
        self.assertOneLine(
            result, "tpreactor: no se puede escribir el archivo de pid /nonexistent/dir/x.pid: "
                    "la carpeta /nonexistent/dir no existe",
        )

    def test_unixSocketInAMissingFolder(self):
        """
        --listen unix: in a folder that does not exist says which folder.
        """
        result = twistd(self, "--listen", "unix:/nonexistent/dir/s.sock")
        self.assertOneLine(
            result, "tpreactor: no se puede escuchar en unix:/nonexistent/dir/s.sock:backlog=1024: "
                    "la carpeta /nonexistent/dir no existe",
        )
