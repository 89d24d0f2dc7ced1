"""
Unit tests for L{tpreactor.client.terminal}: the screen, standard input
over pipes, and the terminal left as it was found.
"""

import fcntl
import io
import os

from twisted.internet import error
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.client.terminal import InputReader, ClientScreen, terminalKept


class ScreenTests(SynchronousTestCase):
    """
    L{ClientScreen} keeps server lines off the prompt's line.
    """

    def test_lineAfterPrompt(self):
        out = io.BytesIO()
        screen = ClientScreen(out)
        screen.prompt("P: ")
        screen.line("cerrado")
        screen.line("fin")
        self.assertEqual(out.getvalue(), b"P: \ncerrado\nfin\n")

    def test_typedMovesOn(self):
        out = io.BytesIO()
        screen = ClientScreen(out)
        screen.prompt("P: ")
        screen.typed()
        screen.line("respuesta")
        self.assertEqual(out.getvalue(), b"P: respuesta\n")

    def test_encodingReplace(self):
        out = io.BytesIO()
        ClientScreen(out, encoding="ascii").line("conexión")
        self.assertEqual(out.getvalue(), b"conexi?n\n")

    def test_brokenPipe(self):
        """
        A reader that went away (C{| head}) silences the screen, no traceback.
        """
        class Gone:
            def write(self, data):
                raise BrokenPipeError()

        screen = ClientScreen(Gone())
        screen.line("uno")
        screen.line("dos")


class FakeReactor:
    def __init__(self):
        self.readers = []

    def addReader(self, reader):
        self.readers.append(reader)

    def removeReader(self, reader):
        if reader in self.readers:
            self.readers.remove(reader)


class InputReaderTests(SynchronousTestCase):
    """
    L{InputReader} over a pipe.
    """

    def setUp(self):
        self.readFd, self.writeFd = os.pipe()
        self.addCleanup(self.closeAll)
        self.reactor = FakeReactor()
        self.lines, self.ends = [], []
        self.reader = InputReader(
            self.reactor, self.readFd, self.lines.append, lambda: self.ends.append(True)
        )
        self.reader.startReading()

    def closeAll(self):
        for fd in (self.readFd, self.writeFd):
            try:
                os.close(fd)
            except OSError:
                pass

    def test_linesAndCrlf(self):
        os.write(self.writeFd, b"uno\r\ndos\ntr")
        self.reader.doRead()
        self.assertEqual(self.lines, [b"uno", b"dos"])
        os.write(self.writeFd, b"es\n")
        self.reader.doRead()
        self.assertEqual(self.lines, [b"uno", b"dos", b"tres"])

    def test_partialLineAtEnd(self):
        """
        Text without a newline at end of input is a last line.
        """
        os.write(self.writeFd, b"hola\nmundo")
        os.close(self.writeFd)
        self.reader.doRead()
        self.reader.doRead()
        self.assertEqual(self.lines, [b"hola", b"mundo"])
        self.assertEqual(self.ends, [True])
        self.assertEqual(self.reactor.readers, [])

    def test_hangUpIsEnd(self):
        """
        The reactor reporting a hang-up (C{connectionLost}) ends input too.
        """
        os.write(self.writeFd, b"resto")
        self.reader.doRead()
        self.reader.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual((self.lines, self.ends), ([b"resto"], [True]))

    def test_pauseResume(self):
        self.reader.pauseReading()
        self.assertEqual(self.reactor.readers, [])
        self.reader.resumeReading()
        self.assertEqual(self.reactor.readers, [self.reader])

    def test_neverNonBlocking(self):
        """
        Reading does not set C{O_NONBLOCK} on the descriptor.
        """
        os.write(self.writeFd, b"x\n")
        self.reader.doRead()
        self.assertFalse(fcntl.fcntl(self.readFd, fcntl.F_GETFL) & os.O_NONBLOCK)


class TerminalKeptTests(SynchronousTestCase):
    """
    L{terminalKept} puts back the flags it found.
    """

    def test_nonBlockingCleared(self):
        readFd, writeFd = os.pipe()
        self.addCleanup(os.close, readFd)
        self.addCleanup(os.close, writeFd)
        with terminalKept(fds=(readFd,)):
            os.set_blocking(readFd, False)
        self.assertTrue(os.get_blocking(readFd))
