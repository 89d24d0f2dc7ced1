"""
Tests for L{tpreactor.terminal.tty}: the exit status and the terminal's
flags and attributes, put back as they were.
"""

import fcntl
import os
import pty
import termios

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.terminal.tty import ExitStatus, Terminal

from .shutdownfakes import FakeTerminal


class ExitStatusTests(SynchronousTestCase):
    def test_zeroLeavesTheExitToPython(self):
        """
        A zero status restores the terminal and leaves the exit to Python.
        """
        terminal = FakeTerminal()
        exits = []
        status = ExitStatus(terminal, exit=exits.append, flush=lambda: None)
        status.atExit()
        self.assertEqual(exits, [])
        self.assertEqual(terminal.restored, 1)

    def test_nonZero(self):
        """
        A non-zero status ends the process with it, terminal restored first.
        """
        terminal = FakeTerminal()
        exits = []
        flushed = []
        status = ExitStatus(terminal, exit=exits.append, flush=lambda: flushed.append(True))
        status.code = 1
        status.atExit()
        self.assertEqual(exits, [1])
        self.assertEqual(flushed, [True])
        self.assertGreaterEqual(terminal.restored, 1)


class FlushEverythingTests(SynchronousTestCase):
    def test_consoleLinesHeld(self):
        """
        The console lines an observer holds for its next flush are written
        before the process ends at once.
        """
        import io

        from twisted.internet.task import Clock
        from twisted.logger import LogLevel

        from tpreactor.logs.console import ConsoleObserver
        from tpreactor.terminal.tty import flushEverything

        out = io.StringIO()
        observer = ConsoleObserver(out, Clock().callLater, lambda: True, inReactorThread=lambda: True)
        observer(dict(log_format="Código de salida: 1.", log_level=LogLevel.info, log_namespace="tpreactor",
                      log_time=0.0))
        self.assertEqual(out.getvalue(), "")
        flushEverything()
        self.assertTrue(out.getvalue().endswith("[tpreactor#info] Código de salida: 1.\n"))


    def test_heldLinesThatCannotBeWrittenDoNotStopTheExit(self):
        """
        Held console lines whose output is gone (a pipe whose reader left, a
        full disk) are dropped: the process still ends with its status.
        """
        from twisted.internet.task import Clock
        from twisted.logger import LogLevel

        from tpreactor.logs.console import ConsoleObserver
        from tpreactor.terminal.tty import ExitStatus, flushEverything

        class Gone:
            def write(self, text):
                raise BrokenPipeError(32, "Broken pipe")

            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")

        observer = ConsoleObserver(Gone(), Clock().callLater, lambda: True, inReactorThread=lambda: True, batch=True)
        observer(dict(log_format="Código de salida: 1.", log_level=LogLevel.info, log_namespace="tpreactor",
                      log_time=0.0))
        exits = []

        class Restored:
            def restore(self):
                pass

        ExitStatus(Restored(), exit=exits.append, flush=flushEverything).now(1)
        self.assertEqual(exits, [1])


class TerminalTests(SynchronousTestCase):
    def setUp(self):
        self.master, self.slave = pty.openpty()
        self.addCleanup(os.close, self.master)
        self.addCleanup(os.close, self.slave)

    def nonBlocking(self):
        return bool(fcntl.fcntl(self.slave, fcntl.F_GETFL) & os.O_NONBLOCK)

    def test_restoresBlocking(self):
        """
        A terminal made non-blocking after the server started is made
        blocking again.
        """
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        os.set_blocking(self.slave, False)
        terminal.restore()
        self.assertFalse(self.nonBlocking())

    def test_keepsWhatItFound(self):
        """
        A terminal that was non-blocking to begin with stays so.
        """
        os.set_blocking(self.slave, False)
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        terminal.restore()
        self.assertTrue(self.nonBlocking())

    def test_restoresAttributes(self):
        """
        Terminal attributes changed meanwhile are put back.
        """
        before = termios.tcgetattr(self.slave)
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        changed = termios.tcgetattr(self.slave)
        changed[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, changed)
        terminal.restore()
        self.assertEqual(termios.tcgetattr(self.slave), before)
