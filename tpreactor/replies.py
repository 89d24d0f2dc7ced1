# -*- test-case-name: tests.test_replies -*-
"""
A connection's replies, in the order its messages came: the queue of
messages waiting for their work, the executor's side of it, the reasons
reading is paused, and the one place a reply line is formatted.
"""

from collections import deque
from datetime import timedelta

from .logs.events import ConnectionLogger
from .session import Input, Phase

#: A connection stops being read once this many messages wait for their
#: work, and is read again when half of them are answered: messages wait in
#: their connection (and the kernel), never in an unbounded queue.
MAX_QUEUED = 32
#: A connection holds at most this many lines for the end of the reactor's
#: turn (about 7 KiB of replies); the next one sends them at once.
MAX_HELD = 64

log = ConnectionLogger(namespace="tpreactor")


class Replies:
    """
    The ordered queue of a connection, mixed into the protocol.

    A message is answered right away when nothing is queued and there is no
    work (L{_direct}); otherwise it is queued, and the queue is worked
    through inline or by the executor, one batch in flight at a time.

    Backpressure: the protocol is a streaming producer for its transport, so
    a client that does not read its replies stops being read once the
    transport's buffer is full (C{"output"}), and the same happens while
    L{MAX_QUEUED} messages wait for their work (C{"queue"}), and while the
    client waits its turn (C{"turn"}). The framing provides C{_pauseReading}
    and C{_resumeReading}; while paused, the socket is probed for a reset
    (L{tpreactor.resets}).

    Writing: while nothing waits in the transport's buffer, lines go
    straight to the socket (L{_socket}), as asyncio's transports do, without
    the transport's round of C{startWriting}, a turn of the reactor,
    C{doWrite} and C{stopWriting}. The first line of a reactor turn goes at
    once; the lines after it, of any connection, are held until the end of
    the turn, and every connection's go then, one send each
    (L{tpreactor.factory.TimeFactory.sendSoon}): clients woken once per
    turn, not once per line, cost the server less CPU per line (measured in
    docs/benchmarks.md), and a lone client's reply does not wait. The first
    lines the socket does not take whole
    go to the transport, and so does every line after them (the transport
    keeps them in order, and the protocol becomes its producer then, for
    the backpressure above). The protocol is its transport's only writer,
    so it knows when the buffer is empty. The last line before a close
    goes through the transport, which sends it and closes in one go.

    @ivar messages: how many messages have been answered.
    """

    messages = 0
    #: No queue and no work: reply right in C{lineReceived}.
    _direct = False
    _queue = ()
    _busy = False
    _inFlight = 0
    _pauses = frozenset()
    #: With C{--status}: when each message waiting for its reply came (see
    #: L{tpreactor.status.recorder}); C{None} means nothing is measured.
    _received = None
    #: The socket lines are sent to directly, or C{None}: through the
    #: transport (set by the framing for a plain TCP or UNIX transport).
    _socket = None
    #: The lines held for the socket until the end of the reactor's turn,
    #: or C{None} (see L{_send}).
    _held = None

    @property
    def pending(self):
        """
        How many messages wait for their reply.
        """
        # Lines still to frame while draining count as one.
        return len(self._queue) + self._inFlight + (self.state.phase is Phase.DRAINING)

    def _reply(self):
        """
        The one place a reply line is formatted: the connection's date, then
        the monotonic time since the welcome, as C{datetime.timedelta} writes it.
        """
        self.messages += 1
        elapsed = timedelta(0, self.factory.monotonic() - self.startedMono)
        self._send(self._replyPrefix + str(elapsed).encode("ascii") + b"\n")

    def _answer(self, outcome):
        if outcome is None:
            self._reply()
        else:
            log.warn(self.catalogue.workFailed, peer=self.peer.joined, cause=outcome)
            self._writeLine(self.catalogue.internalError)
            self.messages += 1
        if self._received is not None:
            self.factory.status.replied(self)

    def _writeLine(self, text):
        self._send(text.encode("utf-8") + b"\n")

    def _writeLastLine(self, text):
        """
        The last line before the close: through the transport (after what
        is held), which sends it and closes the connection at its next turn
        to write, in one go.
        """
        self._toTransport()
        self.transport.write(text.encode("utf-8") + b"\n")

    def _send(self, data):
        """
        Write C{data}: to the socket while the transport holds nothing, at
        once or at the end of the reactor's turn, else to the transport (see
        the class docstring).
        """
        if self._socket is None:
            self.transport.write(data)
            return
        held = self._held
        if held is not None:
            held.append(data)
            if len(held) >= MAX_HELD:
                self.sendHeld()
        elif self.factory.sendSoon(self):
            self._held = [data]
        else:  # the first line of this turn: at once
            self._sendNow(data)

    def sendHeld(self):
        """
        For the factory, at the end of the reactor's turn: send the lines
        held, in one call.
        """
        held = self._held
        if held is None:
            return
        self._held = None
        self._sendNow(b"".join(held))

    def _sendNow(self, data):
        """
        Send C{data} to the socket. What the socket does not take goes to
        the transport, and so does every line after it; the protocol
        becomes the transport's producer then, for the backpressure.
        """
        try:
            sent = self._socket.send(data)
        except OSError:  # full (EAGAIN), or gone: the transport sees to it
            sent = 0
        if sent != len(data):
            self._socket = None
            self._startProducing()
            self.transport.write(data[sent:])

    def _toTransport(self):
        """
        From now on every line goes through the transport, after what is
        held (the connection is closing).
        """
        held = self._held
        if held is not None:
            self._held = None
            self.transport.write(b"".join(held))
        self._socket = None

    def _enqueue(self, text):
        if not self._queue:
            self._queue = deque()
        self._queue.append(text)
        if self._received is not None:
            self.factory.status.received(self, text)
        if not self._busy:
            self._drain()
        if len(self._queue) >= MAX_QUEUED:
            self._pauseFor("queue")

    def _drain(self):
        """
        Answer what is queued, or hand it to the executor; once the session
        is ending and nothing is left, the end comes.
        """
        queue = self._queue
        executor = self.executor
        while queue and not self._busy:
            if executor.inline:
                self._answer(executor.runInline(queue.popleft()))
                if not executor.trivial:
                    # Blocking work runs in the reactor thread: let it
                    # turn between two messages, so that signals, the
                    # console and the timers are not held up by a burst.
                    self._busy = True
                    self.reactor.callLater(0, self._inlineTurn)
            else:
                self._busy = True
                executor.ready(self)
        if not self._busy and self.state.phase is Phase.ENDING:
            self._advance(Input.ANSWERED)

    def _inlineTurn(self):
        self._busy = False
        if not self.finished:
            self._drain()
            if len(self._queue) <= MAX_QUEUED // 2:
                self._resumeFrom("queue")

    def _dropQueue(self):
        if self._queue:
            self._queue.clear()
        if self._received:
            self._received.clear()
        if self._busy or self._inFlight:
            self._busy = False
            self._inFlight = 0

    # -- for the executor ------------------------------------------------------------

    def takeBatch(self, limit):
        """
        For the executor: up to C{limit} messages from the head of the queue.
        """
        queue = self._queue
        batch = []
        while queue and len(batch) < limit:
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

    # -- backpressure ------------------------------------------------------------------

    def pauseProducing(self):
        """
        The transport's buffer is full: stop reading this client.
        """
        self._pauseFor("output")

    def resumeProducing(self):
        self._resumeFrom("output")

    def stopProducing(self):
        self._pauses = frozenset()
        self._haltReading()

    def _pauseFor(self, reason):
        if not self._pauses:
            self._pauseReading()
            self._watchForReset()
        self._pauses = self._pauses | {reason}

    def _resumeFrom(self, reason):
        if reason in self._pauses:
            self._pauses = self._pauses - {reason}
            if not self._pauses and not self.finished:
                self._resumeReading()
