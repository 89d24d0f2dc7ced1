# -*- test-case-name: tests.test_protocol -*-
"""
The line protocol of tpreactor: the framing of what a client sends into
messages (lines, telnet bytes filtered out, text followed by silence, lines
too long, the client's end of input), on top of its session and replies.

The session's life is L{tpreactor.session}, the ordered replies are
L{tpreactor.replies}; where the work for a message runs (inline, a thread
pool, a process pool) is the factory's executor, and who is served when is
the factory's decision (see L{tpreactor.factory}).
"""

from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.tcp import Connection
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from .logs.events import ConnectionLogger
from .peers import peerOf
from .replies import MAX_QUEUED, Replies
from .resets import ResetProbe
from .session import (
    CLOSE_TIMEOUT_SECONDS,
    FULL,
    IDLE,
    OPERATOR,
    QUIT,
    SECONDS,
    SERVING,
    SHUTDOWN,
    TOO_LONG,
    Input,
    Phase,
    Session,
)
from .text import TelnetFilter, escape

__all__ = [
    "CLOSE_TIMEOUT_SECONDS", "FLUSH_SECONDS", "MAX_QUEUED", "TimeProtocol",
    "IDLE", "TOO_LONG", "FULL", "OPERATOR", "SHUTDOWN",
]

#: Unterminated text followed by this much silence is a complete message:
#: course-style clients send C{hola} with no newline and wait for the reply.
FLUSH_SECONDS = 0.3 * SECONDS

log = ConnectionLogger(namespace="tpreactor")


@implementer(IHalfCloseableProtocol)
class TimeProtocol(Session, Replies, ResetProbe, LineReceiver):
    """
    One client connection.

    Sends the welcome when the factory calls L{startServing}, then one reply
    per message, in the order received, each carrying the connection's start
    date and the monotonic time elapsed since then.

    @ivar factory: the L{tpreactor.factory.TimeFactory} that built it; it
        provides C{settings}, C{catalogue}, C{clock} (C{now()} and
        C{monotonic()}), C{reactor} (an C{IReactorTime}) and C{executor}.
    @ivar peer: the L{tpreactor.peers.Peer} the console shows.
    @ivar started: local datetime at which serving began (C{None} while the
        client waits its turn).
    @ivar messages: how many messages have been answered.
    @ivar serving: C{True} once welcomed.
    @ivar state: where the session is (L{tpreactor.session.State}).

    A new mode changes when L{startServing} is called (the factory) or where
    the work runs (the executor), never the framing here.
    """

    delimiter = b"\n"

    # What every connection shares is read from the factory; what a
    # connection may change starts as a class default and becomes its own
    # only when changed. Few instance attributes keep an idle connection
    # small (past 30, CPython stops sharing instance dict keys).
    settings = property(lambda self: self.factory.settings)
    catalogue = property(lambda self: self.factory.catalogue)
    clock = property(lambda self: self.factory.clock)
    reactor = property(lambda self: self.factory.reactor)
    executor = property(lambda self: self.factory.executor)

    peer = None
    _flushCall = None
    _producing = False
    _telnet = None

    def connectionMade(self):
        factory = self.factory
        executor = factory.executor
        # No work at all: reply right here, the hot path of a loaded server.
        if executor.inline and executor.trivial:
            self._direct = True
        transport = self.transport
        self.peer = peerOf(transport.getPeer())
        if isinstance(transport, Connection) and not transport.TLS and not factory.holdsClients:
            # A plain TCP or UNIX socket: replies go straight to it. Not
            # when clients wait their turn: a welcome sent at once reaches
            # its client while the accept loop that took it may still run,
            # and would take in what should wait in the kernel's backlog.
            self._socket = transport.getHandle()
        # Each reply is one small write the client is waiting for: send it
        # now rather than let Nagle's algorithm hold it back.
        setNoDelay = getattr(transport, "setTcpNoDelay", None)
        if setNoDelay is not None:
            try:
                setNoDelay(True)
            except OSError:  # a unix socket behind a TLS wrapper, say
                pass
        # Room for a CR before the LF: the limit counts the message only.
        self.MAX_LENGTH = factory.maxLineLength + 1
        factory.connectionOpened(self)

    def _startProducing(self):
        """
        Be the transport's producer, so that a client that does not read
        its replies stops being read.
        """
        if not self._producing:
            self._producing = True
            self.transport.registerProducer(self, True)

    # -- framing ----------------------------------------------------------------

    def dataReceived(self, data):
        if not data:  # resumeProducing asks for the buffered lines
            LineReceiver.dataReceived(self, data)
            return
        if self.state is not SERVING:  # not welcomed yet, or ending
            return
        if not self._producing and self._socket is None:
            # Registered once data flows, not at connect: pausing reads
            # before a TLS handshake is done would stall it. Lines sent
            # straight to the socket need none until one does not go whole.
            self._startProducing()
        telnet = self._telnet
        if telnet is None and 0xFF in data:  # telnet negotiation: filter from now on
            telnet = self._telnet = TelnetFilter()
        if telnet is not None:
            data = telnet.feed(data)
            answers = telnet.takeAnswers()
            if answers:  # the client waits for them (telnet's Ctrl+C)
                self._send(answers)
            if not data:
                return
        if self._idleCall is not None:
            self._idleCall.reset(self.settings.idleTimeout)
        LineReceiver.dataReceived(self, data)
        if self.state is not SERVING:
            return
        if data[-1] != 10:  # text without its newline yet
            if self._flushCall is None:
                self._flushCall = self.reactor.callLater(FLUSH_SECONDS, self._flushPartial)
            else:
                self._flushCall.reset(FLUSH_SECONDS)
        elif self._flushCall is not None:
            self._flushCall.cancel()
            self._flushCall = None

    def _flushPartial(self):
        """
        The silence after unterminated text: the text is a message.
        """
        self._flushCall = None
        if self.paused:  # complete lines may wait in the buffer: not now
            self._flushCall = self.reactor.callLater(FLUSH_SECONDS, self._flushPartial)
            return
        self._takePartial()

    def _takePartial(self):
        """
        The unterminated text in the buffer is a message (while reading goes
        on, complete lines never stay there).
        """
        pending = self.clearLineBuffer()
        if pending.rstrip(b"\r"):
            self.lineReceived(pending)

    def lineReceived(self, line):
        factory = self.factory
        if line[-1:] == b"\r":
            line = line[:-1]
        if len(line) > factory.maxLineLength:
            return self.lineLengthExceeded(line)
        text = line.decode("utf-8", "replace")
        word = text.strip()
        if len(word) <= factory.longestExitWord and word.lower() in factory.exitWords:
            self._advance(Input.QUIT)
            return True
        if self._direct and not (self._busy or self._queue):
            # The reply goes first: the client waits for it, not for the console.
            self._reply()
            if not factory.quiet:
                log.info(factory.catalogue.received, peer=self.peer.joined, text=escape(text))
            return
        if not factory.quiet:
            log.info(factory.catalogue.received, peer=self.peer.joined, text=escape(text))
        self._enqueue(text)

    def lineLengthExceeded(self, line):
        """
        Too long: the messages before it are answered, then the refusal.
        """
        self._advance(Input.TOO_LONG)
        return True

    # -- outputs of the session about reading --------------------------------------

    def _stopReading(self):
        """
        Nothing more is read: unframed lines are dropped.
        """
        self.clearLineBuffer()
        self._stopTimers()

    def _frameRest(self):
        """
        The session is ending after what was read. While reading is paused
        (the client does not read its replies, or its work is backed up) the
        buffer may hold complete lines: they are framed as the connection
        drains, under the same bounds as ever, and the end waits for them,
        though not for ever. Otherwise the buffer is framed now.
        """
        if self.paused:
            self._drainCall = self.reactor.callLater(CLOSE_TIMEOUT_SECONDS, self._drainTimedOut)
        else:
            self._framed()

    def _framed(self):
        """
        No complete line is left in the buffer: its unterminated text is the
        last message.
        """
        self._takePartial()
        if self.state.phase is Phase.DRAINING:
            self._advance(Input.FRAMED)

    # -- reading, for the replies' backpressure --------------------------------------

    _pauseReading = LineReceiver.pauseProducing
    _haltReading = LineReceiver.stopProducing

    def _resumeReading(self):
        LineReceiver.resumeProducing(self)  # frames the lines read while paused
        if self.state.phase is Phase.DRAINING and not self.paused:
            self._framed()

    # -- the ends of the connection -------------------------------------------------

    def readConnectionLost(self):
        """
        The client shut down its sending side: what it sent is answered, the
        text it left unterminated included, then the connection is closed.
        """
        self._advance(Input.READ_END)

    def writeConnectionLost(self):
        self._advance(Input.WRITE_END)

    def connectionLost(self, reason):
        quit = None
        if self.state is SERVING:
            # Gone right after an exit word it did not terminate: it quit.
            pending = self.clearLineBuffer().rstrip(b"\r")
            if pending.decode("utf-8", "replace").strip().lower() in self.catalogue.exitWords:
                quit = QUIT
        self._advance(Input.LOST, quit)
