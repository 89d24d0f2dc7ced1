# -*- test-case-name: tests.test_session -*-
"""
The life of a connection as one explicit state: the phases, the inputs, the
transition table, and the mixin that follows it and carries out its outputs.

A state is a phase and, once the session is ending, the reason it ends::

    waiting --serve--> serving --close/end of input--> draining(reason)
        --framed--> ending(reason) --answered--> closing(reason) --lost--> closed(reason)

(a quit or a too-long line goes from serving or draining straight to
ending; a close "at once" from any live phase straight to closing). Every
(phase, input) pair is either a row of L{TRANSITIONS}, listed in L{IGNORED}
(it may arrive late and means nothing), or refused with L{IllegalInput}.
"""

from enum import Enum
from typing import NamedTuple, Optional


from .events import ConnectionLogger
from .messages import formatElapsed

SECONDS = 1.0
#: A client that has not taken its last line this long after the server
#: closed the connection is cut off: a peer that never reads would otherwise
#: keep it open (and, in serial mode, everyone else's turn) for ever.
CLOSE_TIMEOUT_SECONDS = 10 * SECONDS

#: Why the server ends a session (keys of the catalogue's C{reasons}).
IDLE, TOO_LONG, FULL, OPERATOR, SHUTDOWN = "idle", "tooLong", "full", "operator", "shutdown"
SERVER_REASONS = frozenset({IDLE, TOO_LONG, FULL, OPERATOR, SHUTDOWN})
#: Why the client ends it: an exit word, or the end of its input.
QUIT, EOF = "quit", "eof"

log = ConnectionLogger(namespace="tpreactor")


class Phase(Enum):
    # Members are singletons compared by identity: hash them as objects (in
    # C), not by name as Enum does (in Python), for the table's lookups.
    __hash__ = object.__hash__

    WAITING = "waiting"  # accepted, waiting its turn: nothing read or sent
    SERVING = "serving"  # welcomed: lines are read and answered
    DRAINING = "draining"  # ending; lines read while paused are still framed
    ENDING = "ending"  # nothing more is read; what is queued is answered
    CLOSING = "closing"  # the last line is written, the transport closes
    CLOSED = "closed"  # the connection is gone


class Input(Enum):
    __hash__ = object.__hash__

    SERVE = "serve"  # the factory: the client's turn
    QUIT = "quit"  # an exit word was framed
    TOO_LONG = "tooLong"  # a line over the limit was framed
    READ_END = "readEnd"  # the client shut down its sending side
    CLOSE = "close"  # the server closes after what was received (reason)
    CLOSE_NOW = "closeNow"  # the server closes at once (reason)
    FRAMED = "framed"  # every line read while paused is framed
    DRAIN_TIMEOUT = "drainTimeout"  # the client never read while draining
    ANSWERED = "answered"  # every message before the end is answered
    WRITE_END = "writeEnd"  # nothing more can be written (or the client reset)
    LOST = "lost"  # the connection is gone (reason: a quit left unterminated)


class Rule(Enum):
    """Where the next state's reason comes from, when the table does not name it."""

    GIVEN = "given"  # the input's reason
    KEPT = "kept"  # the current state's reason
    OVER_EOF = "overEof"  # the input's reason replaces EOF; any other stays


class State(NamedTuple):
    phase: Phase
    reason: Optional[str] = None

    def __repr__(self):
        if self.reason is None:
            return self.phase.value
        return f"{self.phase.value}({self.reason})"


_states = {}


def stateOf(phase, reason=None):
    """
    The one L{State} for C{phase} and C{reason} (so states compare with C{is}).
    """
    return _states.setdefault((phase, reason), State(phase, reason))


WAITING = stateOf(Phase.WAITING)
SERVING = stateOf(Phase.SERVING)

P, I = Phase, Input
_TO_CLOSING = ("sayLastLine", "close")
_TO_ENDING = ("stopReading", "drain")
_TO_DRAINING = ("stopTimers", "frameRest")
_DROP_AND_CLOSE = ("stopReading", "dropQueue") + _TO_CLOSING
_GONE = ("stopReading", "dropQueue", "forget")

#: (phase, input) -> (next phase, next reason or L{Rule}, outputs). Outputs
#: name methods (C{_name}), carried out in order once the state has changed.
TRANSITIONS = {
    (P.WAITING, I.SERVE): (P.SERVING, None, ("welcome",)),
    (P.WAITING, I.READ_END): (P.CLOSING, EOF, ("stopReading",) + _TO_CLOSING),
    (P.WAITING, I.CLOSE): (P.CLOSING, Rule.GIVEN, _TO_CLOSING),
    (P.WAITING, I.CLOSE_NOW): (P.CLOSING, Rule.GIVEN, _TO_CLOSING),
    (P.WAITING, I.WRITE_END): (P.CLOSING, None, ("stopReading", "close")),
    (P.WAITING, I.LOST): (P.CLOSED, None, _GONE),
    (P.SERVING, I.QUIT): (P.ENDING, QUIT, _TO_ENDING),
    (P.SERVING, I.TOO_LONG): (P.ENDING, TOO_LONG, _TO_ENDING),
    (P.SERVING, I.READ_END): (P.DRAINING, EOF, _TO_DRAINING),
    (P.SERVING, I.CLOSE): (P.DRAINING, Rule.GIVEN, _TO_DRAINING),
    (P.SERVING, I.CLOSE_NOW): (P.CLOSING, Rule.GIVEN, _DROP_AND_CLOSE),
    (P.SERVING, I.WRITE_END): (P.CLOSING, None, ("stopReading", "dropQueue", "close")),
    (P.SERVING, I.LOST): (P.CLOSED, Rule.GIVEN, _GONE),
    (P.DRAINING, I.QUIT): (P.ENDING, QUIT, _TO_ENDING),
    (P.DRAINING, I.TOO_LONG): (P.ENDING, TOO_LONG, _TO_ENDING),
    (P.DRAINING, I.FRAMED): (P.ENDING, Rule.KEPT, _TO_ENDING),
    (P.DRAINING, I.DRAIN_TIMEOUT): (P.ENDING, Rule.KEPT, _TO_ENDING),
    (P.DRAINING, I.CLOSE): (P.DRAINING, Rule.OVER_EOF, ()),
    (P.DRAINING, I.CLOSE_NOW): (P.CLOSING, Rule.GIVEN, _DROP_AND_CLOSE),
    (P.DRAINING, I.WRITE_END): (P.CLOSING, Rule.KEPT, ("stopReading", "dropQueue", "close")),
    (P.DRAINING, I.LOST): (P.CLOSED, Rule.KEPT, _GONE),
    (P.ENDING, I.ANSWERED): (P.CLOSING, Rule.KEPT, _TO_CLOSING),
    (P.ENDING, I.CLOSE): (P.ENDING, Rule.OVER_EOF, ()),
    (P.ENDING, I.CLOSE_NOW): (P.CLOSING, Rule.GIVEN, ("dropQueue",) + _TO_CLOSING),
    (P.ENDING, I.WRITE_END): (P.CLOSING, Rule.KEPT, ("dropQueue", "close")),
    (P.ENDING, I.LOST): (P.CLOSED, Rule.KEPT, _GONE),
    (P.CLOSING, I.LOST): (P.CLOSED, Rule.KEPT, _GONE),
}

#: Inputs that may come once they mean nothing: a turn, an end of input or a
#: close for a session whose end is already decided.
IGNORED = frozenset(
    [(phase, I.SERVE) for phase in Phase if phase is not P.WAITING]
    + [(phase, I.READ_END) for phase in (P.DRAINING, P.ENDING, P.CLOSING)]
    + [(phase, i) for phase in (P.CLOSING, P.CLOSED) for i in (I.CLOSE, I.CLOSE_NOW)]
    + [(P.CLOSING, I.WRITE_END)]
)


class IllegalInput(Exception):
    """An input that cannot happen in this state: a bug, not a client's doing."""


def step(state, input, reason=None):
    """
    The state after C{input} (with C{reason}, for the inputs that carry one)
    in C{state}, and the outputs to carry out; C{None} if it is ignored.

    @raise IllegalInput: if the input is neither a transition nor ignored.
    """
    row = TRANSITIONS.get((state.phase, input))
    if row is None:
        if (state.phase, input) in IGNORED:
            return None
        raise IllegalInput(f"{input.value} in {state!r}")
    phase, rule, outputs = row
    if rule is Rule.GIVEN:
        rule = reason
    elif rule is Rule.KEPT:
        rule = state.reason
    elif rule is Rule.OVER_EOF:
        rule = reason if state.reason == EOF else state.reason
    return stateOf(phase, rule), outputs


#: (state, input, reason) -> what L{step} gives, outputs as method names:
#: a session's life is a handful of these, looked up again and again.
_steps = {}


def _stepMethods(state, input, reason):
    """
    L{step}, with the outputs as the names of the methods that carry them out.
    """
    key = (state, input, reason)
    change = _steps.get(key)
    if change is None:
        change = step(state, input, reason)
        if change is not None:
            change = (change[0], tuple("_" + output for output in change[1]))
        if len(_steps) < 4096:  # reasons come from a small set; bounded anyway
            _steps[key] = change
    return change


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
    _abortCall = None

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
        change = _steps[key] if key in _steps else _stepMethods(*key)
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
        if self.settings.idleTimeout:
            self._idleCall = self.reactor.callLater(self.settings.idleTimeout, self._idleTimedOut)
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
            self._writeLine(cat.goodbye.format(elapsed=formatElapsed(elapsed)))
        elif reason in (OPERATOR, SHUTDOWN):
            self._writeLine(cat.closedByServer)
        elif reason in SERVER_REASONS:
            self._writeLine(getattr(cat, reason).format(limit=self.settings.maxLineLength))

    def _close(self):
        """
        Close once the last line is written. A TLS transport waits for its
        producer to go away before it closes, so unregister first.
        """
        if self._producing:
            self._producing = False
            self.transport.unregisterProducer()
        self.transport.loseConnection()
        if self._abortCall is None:
            self._abortCall = self.reactor.callLater(CLOSE_TIMEOUT_SECONDS, self._abort)

    def _abort(self):
        self._abortCall = None
        self.transport.abortConnection()

    def _forget(self):
        """
        The connection is gone: the console line, and the factory forgets it.
        """
        for name in ("_abortCall", "_probeCall"):
            _cancel(self, name)
        reason, cat = self.state.reason, self.catalogue
        if self.started is not None or reason in SERVER_REASONS:
            if reason == QUIT:
                log.info(cat.clientQuit, peer=self.peer.joined)
            elif reason in cat.reasons:
                log.info(cat.kicked, peer=self.peer.joined, reason=cat.reasons[reason])
            else:
                log.info(cat.clientGone, peer=self.peer.joined)
        self.factory.connectionClosed(self)
