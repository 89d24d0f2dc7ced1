# -*- test-case-name: tests.test_status_recorder -*-
"""
What the connections tell the status endpoint as they go, recorded only
when C{--status} is on: when each client came, its last message, the reply
latencies and the connections refused, as plain integer increments.

The hooks cost nothing when it is off: the factory asks C{status is not
None} once per connection, and the replies ask C{_received is not None},
an attribute this recorder sets only on the connections it sees.
"""

from collections import deque

from ..session import SERVER_REASONS
from .latency import LatencyWindow
from .timeline import Timeline

#: The refusals /metrics always shows, even at zero.
REFUSALS = ("full", "shutdown")


class Recorder:
    """
    The counters and the latency window of one process.

    @ivar monotonic: the clock the latencies are measured with (the
        factory's, so that they line up with the replies).
    @ivar messages: replies written since the start (error lines included).
    @ivar refusals: connections turned away before their welcome, by reason
        (the catalogue's reasons: C{full}, C{shutdown}, ...).
    @ivar latency: the L{LatencyWindow}.
    @ivar since: the monotonic time each live connection came.
    @ivar lastText: the last message of each live connection.
    @ivar timeline: who was served when, over the last minute (a
        L{Timeline}).
    """

    def __init__(self, monotonic):
        self.monotonic = monotonic
        self.messages = 0
        self.refusals = dict.fromkeys(REFUSALS, 0)
        self.latency = LatencyWindow()
        self.since = {}
        self.lastText = {}
        self.timeline = Timeline()

    def install(self, factory):
        """
        Record what C{factory}'s connections do from now on.
        """
        factory.status = self

    # -- hooks -------------------------------------------------------------------

    def opened(self, protocol):
        """
        The factory: a connection came. Its replies are measured, so it
        takes the queued path even when it could reply directly.
        """
        now = self.since[protocol] = self.monotonic()
        self.timeline.opened(protocol, now)
        protocol._direct = False
        protocol._received = deque()

    def received(self, protocol, text):
        """
        The replies: a message was framed and waits for its reply.
        """
        protocol._received.append(self.monotonic())
        self.lastText[protocol] = text

    def replied(self, protocol):
        """
        The replies: the oldest message waiting was answered.
        """
        received = protocol._received
        if received:
            now = self.monotonic()
            arrival = received.popleft()
            self.latency.observe(now - arrival, now)
            self.timeline.answered(protocol, arrival, now)
        self.messages += 1

    def closed(self, protocol):
        """
        The factory: a connection is gone; one never welcomed and closed by
        the server was refused.
        """
        self.since.pop(protocol, None)
        self.lastText.pop(protocol, None)
        self.timeline.closed(protocol, self.monotonic())
        reason = protocol.state.reason
        if protocol.started is None and reason in SERVER_REASONS:
            self.refusals[reason] = self.refusals.get(reason, 0) + 1


def countersOf(recorder):
    """
    The counters of one process's L{Recorder}: what only grows, as plain
    data (a state's, and a worker's heartbeat).
    """
    latency = recorder.latency
    buckets, total = latency.cumulative()
    return {
        "messages": recorder.messages,
        "refusals": dict(recorder.refusals),
        "histogram": {"buckets": [list(b) for b in buckets], "sum": total, "count": latency.count},
    }
