"""
Tests for L{tpreactor.terminal.screen}, in memory: log lines above the prompt, the
prompt shown again, the console writing through the same screen, and a
terminal that is gone.
"""

import errno
import io
import os
import tempfile

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.terminal.console import Console
from tpreactor.terminal.screen import ERASE_LINE, ServerScreen, inFrontOfStdout

from .contract import PROMPT
from .memory import Server
from .operatorterminal import screenLines



class Stream(io.StringIO):
    """
    A text stream that counts its flushes.
    """

    flushes = 0

    def flush(self):
        self.flushes += 1


class FailingStream:
    """
    A stream whose writes and flushes fail with C{error}.
    """

    def __init__(self, error):
        self.error = error
        self.writes = 0

    def write(self, text):
        self.writes += 1
        raise OSError(self.error, os.strerror(self.error))

    def flush(self):
        raise OSError(self.error, os.strerror(self.error))


class ScreenTests(SynchronousTestCase):
    def setUp(self):
        self.out = Stream()
        self.screen = ServerScreen(self.out)

    def test_withoutPromptWritesThrough(self):
        """
        With no prompt shown, what is written goes through unchanged.
        """
        self.assertEqual(self.screen.write("uno\n"), 4)
        self.screen.write("dos")
        self.assertEqual(self.out.getvalue(), "uno\ndos")

    def test_logLineAboveThePrompt(self):
        """
        A line written while the prompt is shown erases it, and the prompt is
        shown again after the line, flushed.
        """
        self.screen.write("pregunta\n\n")
        self.screen.showPrompt(PROMPT)
        flushes = self.out.flushes
        self.screen.write("una línea del registro\n")
        self.assertEqual(
            self.out.getvalue(), "pregunta\n\n" + PROMPT + ERASE_LINE + "una línea del registro\n" + PROMPT
        )
        self.assertGreater(self.out.flushes, flushes)
        self.assertEqual(screenLines(self.out.getvalue()), ["pregunta", "", "una línea del registro", PROMPT])

    def test_severalLines(self):
        """
        Each line goes above the prompt; the screen ends with one prompt.
        """
        self.screen.showPrompt(PROMPT)
        for n in range(3):
            self.screen.write(f"línea {n}\n")
        self.assertEqual(screenLines(self.out.getvalue()), ["línea 0", "línea 1", "línea 2", PROMPT])

    def test_partLine(self):
        """
        A write that does not end its line leaves the prompt off until one
        does.
        """
        self.screen.showPrompt(PROMPT)
        self.screen.write("media ")
        self.screen.write("línea\n")
        self.assertEqual(screenLines(self.out.getvalue()), ["media línea", PROMPT])

    def test_clearedPromptIsNotShownAgain(self):
        """
        Once answered the prompt is no longer shown after log lines.
        """
        self.screen.showPrompt(PROMPT)
        self.screen.clearPrompt()
        mark = len(self.out.getvalue())
        self.screen.write("después\n")
        self.assertEqual(self.out.getvalue()[mark:], "después\n")

    def test_answerErasesAPromptShownAgain(self):
        """
        A prompt shown again by a log line after the answer was typed (its
        Enter already echoed) is erased when the answer is taken.
        """
        self.screen.showPrompt(PROMPT)
        self.screen.clearPrompt()
        self.assertTrue(self.out.getvalue().endswith(ERASE_LINE))

    def test_withdrawnPromptStays(self):
        """
        A withdrawn question's prompt is left as it is (its line is ended by
        the console).
        """
        self.screen.showPrompt(PROMPT)
        self.screen.clearPrompt(erase=False)
        self.assertEqual(self.out.getvalue(), PROMPT)

    def test_streamAttributes(self):
        """
        Anything else is the stream's own (the log observers may look at its
        encoding, say).
        """
        self.out.write("antes")
        self.assertEqual(self.screen.getvalue(), "antes")
        self.assertTrue(self.screen.writable())


class GoneTests(SynchronousTestCase):
    def test_terminalGoneIsQuiet(self):
        """
        A terminal that is gone (EIO, as a hung-up terminal answers) makes
        no error: the screen says so and drops what is written after.
        """
        out = FailingStream(errno.EIO)
        screen = ServerScreen(out)
        screen.write("una línea\n")
        self.assertTrue(screen.gone)
        screen.showPrompt(PROMPT)
        screen.write("otra\n")
        screen.flush()
        self.assertEqual(out.writes, 1)

    def test_otherErrorsAreErrors(self):
        """
        An error that does not mean the terminal is gone is not hidden.
        """
        screen = ServerScreen(FailingStream(errno.ENOSPC))
        self.assertRaises(OSError, screen.write, "una línea\n")
        self.assertFalse(screen.gone)

    def test_goneTerminalsDescriptorWritesNowhere(self):
        """
        The gone terminal's descriptor is pointed at /dev/null, so what the
        stream still holds is flushed there at exit instead of failing.
        """
        fd, path = tempfile.mkstemp()
        self.addCleanup(os.remove, path)
        self.addCleanup(os.close, fd)

        class Gone(FailingStream):
            def fileno(self):
                return fd

        ServerScreen(Gone(errno.EIO)).write("línea\n")
        os.write(fd, b"perdido")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"")


class InFrontOfStdoutTests(SynchronousTestCase):
    def test_atATerminal(self):
        """
        When an operator sits at the terminal, a screen goes in front of
        C{sys.stdout}.
        """

        class System:
            stdout = Stream()

        original = System.stdout
        screen = inFrontOfStdout(lambda: True, System)
        self.assertIsInstance(screen, ServerScreen)
        self.assertIs(System.stdout, screen)
        screen.write("hola\n")
        self.assertEqual(original.getvalue(), "hola\n")

    def test_withoutTerminal(self):
        """
        Without an operator at the terminal nothing changes.
        """

        class System:
            stdout = Stream()

        original = System.stdout
        self.assertIsNone(inFrontOfStdout(lambda: False, System))
        self.assertIs(System.stdout, original)


class ConsoleOnScreenTests(SynchronousTestCase):
    def consoleOnScreen(self):
        self.out = Stream()
        self.screen = ServerScreen(self.out)
        console = Console(Server().model(), screen=self.screen)
        self.transport = StringTransport()
        console.makeConnection(self.transport)
        return console

    def test_questionOnTheScreen(self):
        """
        The question goes to the screen (not the transport), its prompt last,
        and a log line then goes above the prompt.
        """
        console = self.consoleOnScreen()
        console.ask(lambda answer: None)
        self.assertEqual(self.transport.value(), b"")
        self.assertTrue(self.out.getvalue().endswith("\n\n" + PROMPT))
        self.screen.write("registro\n")
        self.assertEqual(screenLines(self.out.getvalue())[-2:], ["registro", PROMPT])

    def test_answerClearsThePrompt(self):
        """
        Once answered, log lines no longer bring the prompt back.
        """
        console = self.consoleOnScreen()
        answers = []
        console.ask(answers.append)
        console.dataReceived(b"2\n")
        self.assertEqual(answers, ["2"])
        self.assertIsNone(self.screen.prompt)

    def test_withdrawEndsThePromptsLine(self):
        """
        A withdrawn question ends its prompt's line, and log lines no longer
        bring the prompt back.
        """
        console = self.consoleOnScreen()
        console.ask(lambda answer: None)
        console.withdraw()
        self.assertTrue(self.out.getvalue().endswith(PROMPT + "\n"))
        self.assertIsNone(self.screen.prompt)

    def test_commandsOnTheScreen(self):
        """
        The commands' output goes to the screen too, flushed.
        """
        console = self.consoleOnScreen()
        console.dataReceived(b"clientes\n")
        self.assertEqual(self.out.getvalue(), "Conexiones activas: 0\n")
        self.assertGreater(self.out.flushes, 0)
