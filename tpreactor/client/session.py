# -*- test-case-name: tests.test_client_session -*-
"""
The client's conversation with the server: one message at a time, and how
a session ends (salir, the server closing first, Ctrl+C).
"""

from collections import deque
from functools import partial

from twisted.internet import error
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.protocol import Factory
from twisted.python.failure import Failure

from ..text import escape
from .connect import CANNOT_CONNECT
from .wire import QUIT_LINE, ServerProtocol, isClosing, isGoodbye

SECONDS = 1.0
#: After C{salir}, how long the server's goodbye is awaited before closing.
GOODBYE_SECONDS = 1 * SECONDS
#: Input lines read ahead of the conversation before stdin is paused.
INPUT_HIGH_WATER = 64

#: Exit statuses the session decides (connection failures are in
#: L{tpreactor.client.connect}).
OK, SERVER_CLOSED, INTERRUPTED = 0, 1, 130

#: How a connection ends when nothing went wrong with it.
_ORDINARY_ENDS = (error.ConnectionDone, error.ConnectionLost, error.ConnectionAborted)


class Session:
    """
    One run of the client, from connecting to its last line.

    Lines typed or piped in are queued and sent one at a time, each only
    once the reply to the one before it has arrived.  A word of C{exitWords}
    (or the end of input) sends C{salir}, prints the goodbye if it comes
    within L{GOODBYE_SECONDS}, and ends the session.

    @ivar screen: where lines go: an object with C{line(text)},
        C{prompt(text)} and C{typed()} (see L{tpreactor.client.terminal.ClientScreen}).
    @ivar texts: the client's texts (L{tpreactor.messages.ClientTexts}).
    @ivar clock: an C{IReactorTime} for the goodbye wait and the connect
        timeout.
    @ivar interactive: C{True} when a person types: the prompt is shown,
        and Ctrl+D says what it does.
    @ivar input: the reader of standard input, or C{None}; it is paused
        (C{pauseReading}/C{resumeReading}) while too many lines wait.
    @ivar report: called with a line for stderr when the connection breaks
        with an error, or C{None}.
    @ivar status: the exit status so far (L{OK}, L{SERVER_CLOSED},
        L{INTERRUPTED} or the status given to L{interrupt}).
    @ivar finished: fires with the exit status once the connection is gone.
    """

    transport = None

    def __init__(self, screen, texts, exitWords, clock, interactive=False, input=None, report=None):
        self.screen = screen
        self.report = report
        self.texts = texts
        self.exitWords = frozenset(exitWords)
        self.clock = clock
        self.interactive = interactive
        self.input = input
        self.status = OK
        self.finished = Deferred()
        self._lines = deque()
        self._inputEnded = False
        self._inputPaused = False
        self._welcomed = False
        self._awaiting = False
        self._quitting = False
        self._serverClosing = False
        self._connecting = None
        self._goodbyeCall = None

    # -- connecting -------------------------------------------------------------

    def run(self, endpoint, timeout):
        """
        Connect through C{endpoint} and hold the conversation.

        @param timeout: seconds connecting may take (waiting for the welcome
            afterwards is not timed: a serial server may keep us queued).
        @return: a L{Deferred} that fires with the exit status, or fails with
            the reason the connection could not be made.
        """
        connecting = endpoint.connect(Factory.forProtocol(partial(ServerProtocol, self)))
        self._connecting = connecting
        timedOut = []

        def giveUp():
            timedOut.append(timeout)
            connecting.cancel()

        timer = self.clock.callLater(timeout, giveUp)

        def settled(result):
            self._connecting = None
            if timer.active():
                timer.cancel()
            if not isinstance(result, Failure):
                return self.finished
            if result.check(CancelledError, error.ConnectingCancelledError):
                if self._quitting:  # Ctrl+C before the connection was made
                    self.screen.line(self.texts.closingSocket)
                    return self.status
                if timedOut:
                    return Failure(error.TimeoutError(f"no connection within {timeout:g} s"))
            return result

        return connecting.addBoth(settled)

    def connected(self, transport):
        """
        The connection is up; nothing is sent before the welcome.
        """
        self.transport = transport
        if self._quitting:
            self._sendQuit()

    # -- from the user ------------------------------------------------------------

    def userLine(self, line):
        """
        One line of input, as bytes without its line end.
        """
        self.screen.typed()
        if self._quitting or self.finished.called:
            return
        self._lines.append(line)
        if len(self._lines) >= INPUT_HIGH_WATER and self.input is not None and not self._inputPaused:
            self._inputPaused = True
            self.input.pauseReading()
        self._next()

    def userEnd(self):
        """
        End of input (Ctrl+D at a terminal): C{salir} once the queue is done.
        """
        self._inputEnded = True
        self._next()

    def interrupt(self, status=INTERRUPTED):
        """
        Ctrl+C: send C{salir} at once and end with C{status}; once the
        session is already ending (a second Ctrl+C, or during the wait for
        the goodbye) drop the connection without waiting any longer.
        """
        if self.finished.called:
            return
        self.status = status
        if not self._quitting:
            self._quit()
        elif self.transport is not None:
            self.transport.abortConnection()

    # -- from the server ----------------------------------------------------------

    def serverLine(self, text):
        """
        One line from the server, decoded.
        """
        self.screen.line(escape(text))
        if isGoodbye(text):
            self._quitting = True
            self.transport.loseConnection()
        elif isClosing(text):
            self._serverClosing = True
        elif self._quitting:
            pass
        elif not self._welcomed:
            self._welcomed = True
            self._next()
        elif self._awaiting:
            self._awaiting = False
            self._next()

    def serverGone(self, reason=None):
        """
        The connection is closed: the last lines, then L{finished} fires.

        @param reason: why, as a L{Failure}; anything but an ordinary close
            (a TLS handshake that failed, say) is reported, and before the
            welcome it counts as a failure to connect.
        """
        if self._goodbyeCall is not None and self._goodbyeCall.active():
            self._goodbyeCall.cancel()
        self._goodbyeCall = None
        broken = reason is not None and not reason.check(*_ORDINARY_ENDS)
        if broken and self.report is not None:
            self.report(self.texts.connectionFailed.format(reason=reason.getErrorMessage()))
        if self._serverClosing or not self._quitting:
            self.screen.line(self.texts.serverClosed)
            if self.status == OK:
                self.status = CANNOT_CONNECT if broken and not self._welcomed else SERVER_CLOSED
        self.screen.line(self.texts.closingSocket)
        self.finished.callback(self.status)

    # -- the conversation ---------------------------------------------------------

    def _isExit(self, line):
        return line.decode("utf-8", "replace").strip().lower() in self.exitWords

    def _next(self):
        """
        Send the next queued line if the server is ready for it, or prompt.
        """
        if self._quitting or self._serverClosing or self.finished.called:
            return
        if not self._welcomed:
            # A person who gives up while queued for a serial server's
            # welcome leaves at once; a script waits its turn.
            if self.interactive and (self._inputEnded or any(map(self._isExit, self._lines))):
                self._quit()
            return
        if self._awaiting:
            return
        if self._lines:
            line = self._lines.popleft()
            if self._inputPaused and len(self._lines) < INPUT_HIGH_WATER // 2:
                self._inputPaused = False
                self.input.resumeReading()
            if self._isExit(line):
                self._quit()
            else:
                self._awaiting = True
                self.transport.write(line + b"\n")
        elif self._inputEnded:
            self._quit(announce=self.interactive)
        elif self.interactive:
            self.screen.prompt(self.texts.prompt)

    def _quit(self, announce=True):
        self._quitting = True
        if self.transport is None:
            if self._connecting is not None:
                self._connecting.cancel()
            return
        if announce:
            self.screen.line(self.texts.closing)
        self._sendQuit()

    def _sendQuit(self):
        self.transport.write(QUIT_LINE)
        if self._welcomed:
            self._goodbyeCall = self.clock.callLater(GOODBYE_SECONDS, self._noGoodbye)
        else:
            # Still queued: no goodbye will come before our turn.
            self.transport.loseConnection()

    def _noGoodbye(self):
        self._goodbyeCall = None
        self.transport.loseConnection()
