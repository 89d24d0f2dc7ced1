# -*- test-case-name: tests.test_client_terminal -*-
"""
The client's side of the user's terminal: reading standard input through
the reactor, writing lines and the prompt, and leaving the terminal as it
was found.
"""

import fcntl
import os
import termios
from contextlib import contextmanager

from twisted.internet.interfaces import IReadDescriptor
from zope.interface import implementer

READ_SIZE = 65536


@implementer(IReadDescriptor)
class InputReader:
    """
    Reads standard input through the reactor, line by line, without making
    it non-blocking.

    Twisted's C{StandardIO} sets C{O_NONBLOCK} on stdin and stdout, and a
    terminal shares that flag with the shell and with our own C{stdout}.
    This reader only reads when the reactor says the descriptor is
    readable, which for a terminal in canonical mode or a pipe means
    C{read} returns at once.  (A regular file, which epoll cannot watch, is
    polled by the reactor instead.)

    @ivar lineReceived: called with each line, as bytes without C{\\n} or
        C{\\r\\n}.
    @ivar inputEnded: called once at end of input; text left without a
        newline is delivered as a last line first.
    """

    def __init__(self, reactor, fd, lineReceived, inputEnded):
        self._reactor = reactor
        self._fd = fd
        self.lineReceived = lineReceived
        self.inputEnded = inputEnded
        self._buffer = b""
        self._reading = False
        self._ended = False

    def startReading(self):
        if not self._reading and not self._ended:
            self._reading = True
            try:
                self._reactor.addReader(self)
            except OSError:  # EBADF: started with stdin closed
                self._reading = False
                self._end()

    def stopReading(self):
        if self._reading:
            self._reading = False
            self._reactor.removeReader(self)

    pauseReading = stopReading
    resumeReading = startReading

    def fileno(self):
        return self._fd

    def logPrefix(self):
        return "stdin"

    def doRead(self):
        try:
            data = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: the terminal went away; EBADF: no stdin at all
        if not data:
            self._end()
            return
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        for line in lines:
            self.lineReceived(line.rstrip(b"\r"))

    def _end(self):
        self.stopReading()
        self._ended = True
        rest, self._buffer = self._buffer.rstrip(b"\r"), b""
        if rest:
            self.lineReceived(rest)
        self.inputEnded()

    def connectionLost(self, reason):
        """
        The reactor saw the other end hang up (a pipe's writer closed, a
        terminal gone) without data to read: that is the end of input too.
        """
        self._reading = False
        if not self._ended:
            self._end()


class ClientScreen:
    """
    Where the client writes: whole lines, and a prompt that the user's
    typing continues on the same line.

    A line written while the prompt is showing starts on a line of its own,
    so a server closing the connection under the prompt reads cleanly.

    @ivar atPrompt: C{True} while the cursor is after the prompt.
    """

    atPrompt = False

    def __init__(self, stream, encoding="utf-8"):
        """
        @param stream: a binary stream (C{sys.stdout.buffer}); flushed after
            every write.
        @param encoding: the terminal's encoding; what it cannot show is
            replaced.
        """
        self._stream = stream
        self._encoding = encoding
        self._broken = False

    def line(self, text):
        self._write(("\n" if self.atPrompt else "") + text + "\n")
        self.atPrompt = False

    def prompt(self, text):
        self._write(text)
        self.atPrompt = True

    def typed(self):
        """
        The user pressed Enter: the terminal's echo has moved to a new line.
        """
        self.atPrompt = False

    def _write(self, text):
        if self._broken:
            return
        try:
            self._stream.write(text.encode(self._encoding, "replace"))
            self._stream.flush()
        except BrokenPipeError:
            self._broken = True  # e.g. `| head`: the rest is not wanted


@contextmanager
def terminalKept(fds=(0, 1, 2), flushInput=False):
    """
    Restore the file status flags (C{O_NONBLOCK} among them) of C{fds} on
    the way out, and with C{flushInput} drop what was typed but never read,
    so it does not land in the shell.
    """
    saved = {}
    for fd in fds:
        try:
            saved[fd] = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            pass
    try:
        yield
    finally:
        for fd, flags in saved.items():
            try:
                fcntl.fcntl(fd, fcntl.F_SETFL, flags)
            except OSError:
                pass
        if flushInput and fds:
            try:
                termios.tcflush(fds[0], termios.TCIFLUSH)
            except (OSError, termios.error):
                pass
