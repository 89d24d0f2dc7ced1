# -*- test-case-name: tests.test_session -*-
"""
The life of a connection as a table: its phases, the inputs, the reasons a
session ends, and the transitions (L{step}); L{tpreactor.session} follows
it for each connection and carries out its outputs.

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

#: Why the server ends a session (keys of the catalogue's C{reasons}).
IDLE, TOO_LONG, FULL, OPERATOR, SHUTDOWN = "idle", "tooLong", "full", "operator", "shutdown"
SERVER_REASONS = frozenset({IDLE, TOO_LONG, FULL, OPERATOR, SHUTDOWN})
#: Why the client ends it: an exit word, or the end of its input.
QUIT, EOF = "quit", "eof"

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
