# -*- test-case-name: tests.test_protocol -*-
"""
The line protocol of tpreactor: welcome, one timed reply per message, salir.

The protocol frames and answers; where the work for a message runs (inline,
a thread pool, a process pool) is the factory's executor, and who is served
when is the factory's decision (see L{tpreactor.factory}).
"""

from collections import deque
from datetime import timedelta

from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from .messages import formatDate, formatElapsed
from .peers import peerOf
from .text import TelnetFilter, escape

SECONDS = 1.0
#: Unterminated text followed by this much silence is a complete message:
#: course-style clients send C{hola} with no newline and wait for the reply.
FLUSH_SECONDS = 0.3 * SECONDS

#: A client that has not taken its last line this long after the server
#: closed the connection is cut off: a peer that never reads would otherwise
#: keep it open (and, in serial mode, everyone else's turn) for ever.
CLOSE_TIMEOUT_SECONDS = 10 * SECONDS

#: A connection stops being read once this many messages wait for their
#: work, and is read again when half of them are answered: messages wait in
#: their connection (and the kernel), never in an unbounded queue.
MAX_QUEUED = 32

#: Why the server closes a connection (keys of the catalogue's C{reasons}).
IDLE, TOO_LONG, FULL, OPERATOR, SHUTDOWN = "idle", "tooLong", "full", "operator", "shutdown"
_REFUSALS = {IDLE: "idle", TOO_LONG: "tooLong", FULL: "full"}

#: How a connection ended, for the console line.
_QUIT, _EOF = "quit", "eof"
#: The session is ending, but lines read while reading was paused are still
#: to be framed and answered first (see L{TimeProtocol._endAfterBuffer}).
_DRAINING = "draining"

log = Logger(namespace="tpreactor")


class _Control:
    """
    An item in a connection's queue that is not a message: it is carried out
    once every message before it has been answered.
    """

    __slots__ = ("kind",)

    def __init__(self, kind):
        self.kind = kind


@implementer(IHalfCloseableProtocol)
class TimeProtocol(LineReceiver):
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

    A new mode changes when L{startServing} is called (the factory) or where
    the work runs (the executor), never the framing here.

    Backpressure: the protocol is a streaming producer for its transport, so
    a client that does not read its replies stops being read once the
    transport's buffer is full, and the same happens while L{MAX_QUEUED}
    messages wait for their work.
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
    started = None
    startedMono = None
    serving = False
    closed = False
    finished = False
    messages = 0
    _queue = ()
    _busy = False
    _inFlight = 0
    _ending = None
    _flushCall = None
    _idleCall = None
    _abortCall = None
    _endPending = None
    _drainCall = None
    _pauses = frozenset()
    _producing = False
    _telnet = None

    def connectionMade(self):
        factory = self.factory
        executor = factory.executor
        # No work at all: reply right here, the hot path of a loaded server.
        self._direct = executor.inline and getattr(executor, "trivial", False)
        self.peer = peerOf(self.transport.getPeer())
        # Each reply is one small write the client is waiting for: send it
        # now rather than let Nagle's algorithm hold it back.
        setNoDelay = getattr(self.transport, "setTcpNoDelay", None)
        if setNoDelay is not None:
            try:
                setNoDelay(True)
            except OSError:  # a unix socket behind a TLS wrapper, say
                pass
        # Room for a CR before the LF: the limit counts the message only.
        self.MAX_LENGTH = factory.maxLineLength + 1
        factory.connectionOpened(self)

    # -- called by the factory ------------------------------------------------

    def startServing(self):
        """
        Welcome the client: its date and elapsed-time origin are taken now.
        """
        if self.finished or self.serving:
            return
        self.serving = True
        self.started = self.clock.now()
        self.startedMono = self.factory.monotonic()
        cat = self.catalogue
        date = formatDate(cat, self.started)
        self._replyPrefix = cat.reply.format(date=date)
        log.info(cat.connected, host=self.peer.host, port=self.peer.port)
        self._writeLine(cat.welcome.format(date=date))
        if self.settings.idleTimeout:
            self._idleCall = self.reactor.callLater(self.settings.idleTimeout, self._idleTimedOut)
        self.transport.resumeProducing()

    def hold(self):
        """
        Keep the client waiting its turn: nothing is read or sent.
        """
        self.transport.pauseProducing()

    def closeByServer(self, reason, atOnce=False):
        """
        Close with the line for C{reason} (L{OPERATOR}, L{SHUTDOWN}, L{FULL},
        ...) once every message already received is answered, or right now
        if C{atOnce} (pending replies are dropped).
        """
        if self.finished:
            return
        if atOnce or not self.serving:
            self._queue = ()
            self._busy = False
            self._inFlight = 0
            self._endPending = None
            self._ending = reason
            self._finish(reason)
            return
        if self._ending is None:
            self._endAfterBuffer(reason)
        elif self._ending is _DRAINING:
            if self._endPending == _EOF:
                self._endPending = reason
        elif self._ending == _EOF:
            # The client has stopped sending and its replies are still on
            # their way: its last step becomes the closing line.
            self._ending = reason
            for item in self._queue:
                if type(item) is _Control and item.kind == _EOF:
                    item.kind = reason

    @property
    def pending(self):
        """
        How many messages wait for their reply.
        """
        queued = sum(1 for item in self._queue if type(item) is str) + self._inFlight
        return queued + (self._ending is _DRAINING)  # lines still to frame count as one

    # -- framing ----------------------------------------------------------------

    def dataReceived(self, data):
        if not data:  # resumeProducing asks for the buffered lines
            LineReceiver.dataReceived(self, data)
            return
        if self._ending is not None:
            return
        if not self._producing:
            # Registered once data flows, not at connect: pausing reads
            # before a TLS handshake is done would stall it.
            self._producing = True
            self.transport.registerProducer(self, True)
        telnet = self._telnet
        if telnet is None and 0xFF in data:  # telnet negotiation: filter from now on
            telnet = self._telnet = TelnetFilter()
        if telnet is not None:
            data = telnet.feed(data)
            if not data:
                return
        if self._idleCall is not None:
            self._idleCall.reset(self.settings.idleTimeout)
        LineReceiver.dataReceived(self, data)
        if self._ending is not None:
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

    def _endAfterBuffer(self, kind):
        """
        End the session with C{kind} (the client's end of input, or a
        server's reason) once everything already read is answered.

        While reading is paused (the client does not read its replies, or
        its work is backed up) the buffer may hold complete lines: they are
        framed as the connection drains, under the same bounds as ever, and
        the end waits for them. Nothing read after this moment is a message.
        """
        if self.paused:
            self._ending = _DRAINING
            self._endPending = kind
            self._cancelTimers()
            # A client that never reads never lets the buffer drain: then the
            # lines still unframed are dropped and the session ends anyway.
            self._drainCall = self.reactor.callLater(CLOSE_TIMEOUT_SECONDS, self._stopDraining)
            return
        self._takePartial()
        if self._ending is None:
            self._endWith(kind)

    def _stopDraining(self):
        self._drainCall = None
        if self._ending is _DRAINING:
            kind, self._endPending = self._endPending, None
            self._endWith(kind)

    def _endWith(self, kind):
        """
        Nothing more is read; the session ends with C{kind} once what is
        queued before it is answered.
        """
        self._ending = kind
        self._stopReading()
        self._enqueue(_Control(kind))

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
            self._endWith(_QUIT)
            return True
        if not factory.quiet:
            log.info(factory.catalogue.received, peer=self.peer.joined, text=escape(text))
        if self._busy or self._queue:
            self._enqueue(text)
        elif self._direct:
            self.messages += 1
            elapsed = timedelta(seconds=factory.monotonic() - self.startedMono)
            self.transport.write((self._replyPrefix + str(elapsed) + "\n").encode("utf-8"))
        else:
            self._enqueue(text)

    def lineLengthExceeded(self, line):
        """
        Too long: the messages before it are answered, then the refusal.
        """
        self._endWith(TOO_LONG)
        return True

    # -- replies, in order --------------------------------------------------------

    def _enqueue(self, item):
        if not self._queue:
            self._queue = deque()
        self._queue.append(item)
        if not self._busy:
            self._drain()
        if len(self._queue) >= MAX_QUEUED:
            self._pauseFor("queue")

    # -- backpressure ---------------------------------------------------------------

    def pauseProducing(self):
        """
        The transport's buffer is full: stop reading this client.
        """
        self._pauseFor("output")

    def resumeProducing(self):
        self._resumeFrom("output")

    def stopProducing(self):
        self._pauses = frozenset()
        LineReceiver.stopProducing(self)

    def _pauseFor(self, reason):
        if not self._pauses:
            LineReceiver.pauseProducing(self)
        self._pauses = self._pauses | {reason}

    def _resumeFrom(self, reason):
        if reason in self._pauses:
            self._pauses = self._pauses - {reason}
            if not self._pauses and not self.finished:
                LineReceiver.resumeProducing(self)
                if self._ending is _DRAINING and not self.paused:  # the buffer is framed
                    self._drainCall.cancel()
                    self._drainCall = None
                    kind, self._endPending = self._endPending, None
                    self._ending = None
                    self._endAfterBuffer(kind)

    def _drain(self):
        queue = self._queue
        executor = self.executor
        while queue and not self._busy and not self.finished:
            item = queue[0]
            if type(item) is str:
                if executor.inline:
                    queue.popleft()
                    self._answer(executor.runInline(item))
                    if not executor.trivial:
                        # Blocking work runs in the reactor thread: let it
                        # turn between two messages, so that signals, the
                        # console and the timers are not held up by a burst.
                        self._busy = True
                        self.reactor.callLater(0, self._inlineTurn)
                else:
                    self._busy = True
                    executor.ready(self)
            else:
                queue.popleft()
                self._finish(item.kind)

    def _inlineTurn(self):
        self._busy = False
        if not self.finished:
            self._drain()
            if len(self._queue) <= MAX_QUEUED // 2:
                self._resumeFrom("queue")

    def takeBatch(self, limit):
        """
        For the executor: up to C{limit} messages from the head of the queue.
        """
        queue = self._queue
        batch = []
        while queue and len(batch) < limit and type(queue[0]) is str:
            batch.append(queue.popleft())
        if not batch:
            self._busy = False
        self._inFlight = len(batch)
        return batch

    def batchDone(self, outcomes):
        """
        For the executor: the work for the last batch is done; C{outcomes}
        holds C{None} or the failure's description for each message.
        """
        if self.finished:
            return
        for outcome in outcomes:
            self._answer(outcome)
        self._inFlight = 0
        self._busy = False
        self._drain()
        if len(self._queue) <= MAX_QUEUED // 2:
            self._resumeFrom("queue")

    def _answer(self, outcome):
        if outcome is not None:
            log.warn(self.catalogue.workFailed, peer=self.peer.joined, cause=outcome)
            self._writeLine(self.catalogue.internalError)
        else:
            elapsed = self.factory.monotonic() - self.startedMono
            self.transport.write((self._replyPrefix + formatElapsed(elapsed) + "\n").encode("utf-8"))
        self.messages += 1

    def _finish(self, kind):
        """
        The last line of the connection, then close.
        """
        self.finished = True
        cat = self.catalogue
        if kind == _QUIT:
            elapsed = self.factory.monotonic() - self.startedMono
            self._writeLine(cat.goodbye.format(elapsed=formatElapsed(elapsed)))
        elif kind in _REFUSALS:
            text = getattr(cat, _REFUSALS[kind])
            self._writeLine(text.format(limit=self.settings.maxLineLength))
        elif kind in (OPERATOR, SHUTDOWN):
            self._writeLine(cat.closedByServer)
        self._close()

    def _close(self):
        """
        Close once the last line is written. A TLS transport waits for its
        producer to go away before it closes, so unregister first.
        """
        if self._producing:
            self._producing = False
            self.transport.unregisterProducer()
        self.transport.loseConnection()
        if not self.closed and self._abortCall is None:
            self._abortCall = self.reactor.callLater(CLOSE_TIMEOUT_SECONDS, self._abort)

    def _abort(self):
        self._abortCall = None
        self.transport.abortConnection()

    def _writeLine(self, text):
        self.transport.write(text.encode("utf-8") + b"\n")

    def _stopReading(self):
        self.clearLineBuffer()
        self._cancelTimers()

    def _cancelTimers(self):
        for call in (self._flushCall, self._idleCall):
            if call is not None and call.active():
                call.cancel()
        self._flushCall = self._idleCall = None

    def _idleTimedOut(self):
        self._idleCall = None
        self.closeByServer(IDLE)

    # -- the end ----------------------------------------------------------------

    def readConnectionLost(self):
        """
        The client shut down its sending side: what it sent is answered, the
        text it left unterminated included, then the connection is closed.
        """
        if self._ending is None:
            self._endAfterBuffer(_EOF)

    def writeConnectionLost(self):
        self._close()

    def connectionLost(self, reason):
        if self._ending is None and self.serving:
            pending = self.clearLineBuffer().rstrip(b"\r")
            if pending.decode("utf-8", "replace").strip().lower() in self.catalogue.exitWords:
                self._ending = _QUIT
        if self._ending is _DRAINING:  # gone before its lines were framed
            self._ending = self._endPending
        self._stopReading()
        for call in (self._abortCall, self._drainCall):
            if call is not None and call.active():
                call.cancel()
        self.closed = self.finished = True
        self._queue = ()
        cat = self.catalogue
        if self.serving or self._ending in _REFUSALS or self._ending in (SHUTDOWN, OPERATOR):
            if self._ending == _QUIT:
                log.info(cat.clientQuit, peer=self.peer.joined)
            elif self._ending in cat.reasons:
                log.info(cat.kicked, peer=self.peer.joined, reason=cat.reasons[self._ending])
            else:
                log.info(cat.clientGone, peer=self.peer.joined)
        self.factory.connectionClosed(self)
