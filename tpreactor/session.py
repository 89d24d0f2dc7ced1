# -*- test-case-name: tests.test_session -*-
"""
The life of a connection: the mixin that follows the table of
L{tpreactor.transitions} for each connection and carries out its outputs
about the session as a whole (the welcome, the last line, the close, the
console line). The table's names are importable from here too.
"""

from .logs.events import ConnectionLogger
from .messages import formatElapsed
from .transitions import (  # noqa: F401 (the table's names, importable from here)
    EOF,
    FULL,
    IDLE,
    IGNORED,
    OPERATOR,
    QUIT,
    SERVER_REASONS,
    SERVING,
    SHUTDOWN,
    TOO_LONG,
    TRANSITIONS,
    WAITING,
    IllegalInput,
    Input,
    Phase,
    Rule,
    State,
    _stepMethods,
    _steps,
    stateOf,
    step,
)

SECONDS = 1.0
#: A client that has not taken its last line this long after the server
#: closed the connection is cut off: a peer that never reads would otherwise
#: keep it open (and, in serial mode, everyone else's turn) for ever.
CLOSE_TIMEOUT_SECONDS = 10 * SECONDS

log = ConnectionLogger(namespace="tpreactor")
#: Not in the table's cache yet (C{None} there means "ignored").
_UNKNOWN = object()


class CloseDeadlines:
    """
    The connections the server closed and that are not gone yet, each cut
    off (L{Session._abort}) if it is still there L{CLOSE_TIMEOUT_SECONDS}
    after its close: one timer for all of them, armed while any is left,
    instead of one timer set and cancelled per connection.

    The deadlines come in the order they are added (the timeout is the same
    for all), so the first one left is always the next due.
    """

    def __init__(self, reactor, seconds=None):
        self._reactor = reactor
        self._seconds = CLOSE_TIMEOUT_SECONDS if seconds is None else seconds
        self._due = {}
        self._call = None

    def __len__(self):
        return len(self._due)

    def add(self, protocol):
        """
        C{protocol} was closed: cut it off if it is still there in time.
        """
        if protocol in self._due:
            return
        self._due[protocol] = self._reactor.seconds() + self._seconds
        if self._call is None:
            self._call = self._reactor.callLater(self._seconds, self._expire)

    def discard(self, protocol):
        """
        C{protocol} is gone: nothing to cut off.
        """
        due = self._due
        if due.pop(protocol, None) is not None and not due and self._call is not None:
            self._call.cancel()
            self._call = None

    def _expire(self):
        self._call = None
        now = self._reactor.seconds()
        late = []
        for protocol, when in self._due.items():
            if when > now:
                break
            late.append(protocol)
        for protocol in late:
            del self._due[protocol]
        if self._due:
            first = next(iter(self._due.values()))
            self._call = self._reactor.callLater(max(0.0, first - now), self._expire)
        for protocol in late:
            protocol._abort()


def _cancel(owner, name):
    call = getattr(owner, name)
    if call is not None:
        if call.active():
            call.cancel()
        setattr(owner, name, None)


class Session:
    """
    Follows L{TRANSITIONS} for a connection, and carries out the outputs
    about the session as a whole (the welcome, the last line, the close, the
    console line). The framing and the reply queue carry out theirs.

    @ivar state: the L{State}; the class default is L{WAITING}.
    """

    state = WAITING
    started = None
    startedMono = None
    _idleCall = None
    _drainCall = None

    serving = property(lambda self: self.started is not None, doc="Whether the client was welcomed.")
    finished = property(
        lambda self: self.state.phase in (Phase.CLOSING, Phase.CLOSED), doc="Whether its last line (if any) is written."
    )
    closed = property(lambda self: self.state.phase is Phase.CLOSED, doc="Whether the connection is gone.")

    def _advance(self, input, reason=None):
        """
        Feed C{input} to the machine: change the state, then carry out the
        row's outputs.
        """
        key = (self.state, input, reason)
        change = _steps.get(key, _UNKNOWN)
        if change is _UNKNOWN:
            change = _stepMethods(*key)
        if change is not None:
            self.state, methods = change
            for method in methods:
                getattr(self, method)()

    # -- inputs from the factory, the console and the shutdown --------------------

    def startServing(self):
        """
        Welcome the client: its date and elapsed-time origin are taken now.
        """
        self._advance(Input.SERVE)

    def hold(self):
        """
        Keep the client waiting its turn: nothing is read or sent.
        """
        self._pauseFor("turn")

    def closeByServer(self, reason, atOnce=False):
        """
        Close with the line for C{reason} (L{OPERATOR}, L{SHUTDOWN}, L{FULL},
        ...) once every message already received is answered, or right now
        if C{atOnce} (pending replies are dropped).
        """
        self._advance(Input.CLOSE_NOW if atOnce else Input.CLOSE, reason)

    # -- outputs ------------------------------------------------------------------

    def _welcome(self):
        factory = self.factory
        self.started = factory.clock.now()
        self.startedMono = factory.monotonic()
        welcome, self._replyPrefix = factory.datedLines.at(self.started)
        self._send(welcome)
        peer = self.peer
        log.info(factory.catalogue.connected, host=peer.host, port=peer.port)
        idleTimeout = factory.settings.idleTimeout
        if idleTimeout:
            self._idleCall = self.reactor.callLater(idleTimeout, self._idleTimedOut)
        if self._pauses:  # it waited its turn
            self._resumeFrom("turn")

    def _idleTimedOut(self):
        self._idleCall = None
        self.closeByServer(IDLE)

    def _drainTimedOut(self):
        self._drainCall = None
        self._advance(Input.DRAIN_TIMEOUT)

    def _stopTimers(self):
        if self._flushCall is None and self._idleCall is None and self._drainCall is None:
            return  # the usual case: no option asked for a timer
        for name in ("_flushCall", "_idleCall", "_drainCall"):
            _cancel(self, name)

    def _sayLastLine(self):
        """
        The line for the reason the session ends (none for the end of input).
        """
        reason, cat = self.state.reason, self.catalogue
        if reason == QUIT:
            elapsed = self.factory.monotonic() - self.startedMono
            self._writeLastLine(cat.goodbye.format(elapsed=formatElapsed(elapsed)))
        elif reason in (OPERATOR, SHUTDOWN):
            self._writeLastLine(cat.closedByServer)
        elif reason in SERVER_REASONS:
            self._writeLastLine(getattr(cat, reason).format(limit=self.settings.maxLineLength))

    def _close(self):
        """
        Close once the last line is written. A TLS transport waits for its
        producer to go away before it closes, so unregister first.
        """
        self._toTransport()  # what is held goes before the close
        if self._producing:
            self._producing = False
            self.transport.unregisterProducer()
        self.transport.loseConnection()
        self.factory.closeDeadlines.add(self)

    def _abort(self):
        """
        Closed by the server L{CLOSE_TIMEOUT_SECONDS} ago and still there:
        cut it off (see L{CloseDeadlines}).
        """
        self.transport.abortConnection()

    def _forget(self):
        """
        The connection is gone: the console line, and the factory forgets it.
        """
        self.factory.closeDeadlines.discard(self)
        if self._held is not None:  # gone before the end of the turn
            self._held = None
        if self._probeCall is not None:
            _cancel(self, "_probeCall")
        reason, cat = self.state.reason, self.catalogue
        if self.started is not None or reason in SERVER_REASONS:
            if reason == QUIT:
                log.info(cat.clientQuit, peer=self.peer.joined)
            elif reason in cat.reasons:
                log.info(cat.kicked, peer=self.peer.joined, reason=cat.reasons[reason])
            else:
                log.info(cat.clientGone, peer=self.peer.joined)
        self.factory.connectionClosed(self)
