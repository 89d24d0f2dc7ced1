"""
Tests for L{tpreactor.terminal.foreground}: C{make run} ends with the server's status
after the operator's Ctrl+C, and the launcher passes statuses through.
"""

import shutil
import signal
import sys
from pathlib import Path

from twisted.trial import unittest

from tpreactor.terminal.foreground import exitCode

from .support import TerminalProcess, freePort

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent.parent


class ExitCodeTests(unittest.SynchronousTestCase):
    """
    Wait statuses become the codes a shell shows.
    """

    def test_exited(self):
        """
        A normal exit keeps its code.
        """
        self.assertEqual(exitCode(3 << 8), 3)

    def test_signalled(self):
        """
        Death by signal N is 128 + N.
        """
        self.assertEqual(exitCode(signal.SIGINT), 130)


class MakeRunTests(unittest.TestCase):
    """
    The README's C{make run} in a terminal, as an operator uses it.
    """

    if shutil.which("make") is None:
        skip = "make is not installed"

    def makeRun(self, *extra):
        term = TerminalProcess(
            ["/usr/bin/env", "make", "--no-print-directory", "-C", str(ROOT), "-o", "install", "run",
             f"VENV={VENV}", f"PORT={freePort()}", *extra]
        )
        self.addCleanup(term.close)
        return term.start()

    def test_cleanStopIsZero(self):
        """
        Ctrl+C, option 2: the server exits 0, and so does make.
        """
        term = self.makeRun()
        term.waitFor("Consola del operador")
        term.type(b"\x03")
        mark = term.waitFor("Selecciona una opción: ").end()
        term.type("2\n")
        term.waitFor("Código de salida: 0.", after=mark)
        self.assertEqual(term.wait(), 0, term.text)
        self.assertNotIn("Interrupt", term.text)

    def test_optionThreeIsZero(self):
        """
        Ctrl+C, option 3 (exit at once): make exits 0 too.
        """
        term = self.makeRun()
        term.waitFor("Consola del operador")
        term.type(b"\x03")
        term.waitFor("Selecciona una opción: ")
        term.type("3\n")
        self.assertEqual(term.wait(), 0, term.text)

    def test_failureIsReported(self):
        """
        A server that fails to start makes make fail, naming the server's code.
        """
        term = self.makeRun("ARGS=--mode=nonesuch")
        self.assertNotEqual(term.wait(), 0, term.text)
        self.assertIn("Error 1", term.text)
