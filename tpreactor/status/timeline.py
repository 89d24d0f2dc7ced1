# -*- test-case-name: tests.test_status_timeline -*-
"""
Who was served when over the last minute, for the status page's timeline:
for each client, when it was accepted (in serial mode, when it was taken
out of the kernel's queue), welcomed and gone, and when each of its
messages came and was answered. Kept by the recorder (no hook of its own
on the connections' path), within a bounded memory: the clients of the
last L{WINDOW_SECONDS}, at most L{MAX_LANES} of them, and per client its
last L{MAX_MARKS} messages one by one, the older ones as a count and the
time their work took.
"""

from collections import deque
from itertools import islice

SECONDS = 1.0
#: How far back the timeline looks.
WINDOW_SECONDS = 60.0 * SECONDS
#: The most clients it shows (the newest).
MAX_LANES = 200
#: The most messages of one client it keeps one by one.
MAX_MARKS = 30


class Lane:
    """
    One client's line on the timeline, on the recorder's monotonic clock.

    @ivar accepted: when it was accepted; C{welcomed} when it was welcomed
        (C{None}: not yet, or never); C{left} when it was gone (C{None}:
        still there).
    @ivar marks: the C{(arrival, reply)} of its last messages.
    @ivar earlier: how many of its messages are no longer in C{marks};
        C{busy} how long their work took in all.
    """

    __slots__ = ("peer", "accepted", "welcomed", "left", "marks", "earlier", "busy")

    def __init__(self, peer, accepted):
        self.peer = peer
        self.accepted = accepted
        self.welcomed = None
        self.left = None
        self.marks = deque(maxlen=MAX_MARKS)
        self.earlier = 0
        self.busy = 0.0

    def answered(self, arrival, reply):
        """
        One of its messages, which came at C{arrival}, was answered at C{reply}.
        """
        marks = self.marks
        if len(marks) == MAX_MARKS:
            first, last = marks[0]
            self.earlier += 1
            self.busy += last - first
        marks.append((arrival, reply))


class Timeline:
    """
    The lanes of the clients connected now and of those gone within the
    window, the newest L{MAX_LANES}.
    """

    def __init__(self, window=WINDOW_SECONDS, lanes=MAX_LANES):
        self.window = window
        self.maxLanes = lanes
        self._live = {}
        self._gone = deque()

    def opened(self, protocol, now):
        self._live[protocol] = Lane(protocol.peer.joined, now)

    def answered(self, protocol, arrival, reply):
        lane = self._live.get(protocol)
        if lane is not None:
            lane.answered(arrival, reply)

    def closed(self, protocol, now):
        lane = self._live.pop(protocol, None)
        if lane is None:
            return
        lane.welcomed = protocol.startedMono
        lane.left = now
        self._gone.append(lane)
        self._prune(now)

    def _prune(self, now):
        gone, oldest = self._gone, now - self.window
        while gone and (gone[0].left < oldest or len(gone) > self.maxLanes):
            gone.popleft()

    def lanes(self, now):
        """
        The lanes to show at monotonic time C{now}: the newest
        L{MAX_LANES} of the clients there now and of those gone within the
        window, oldest first.
        """
        self._prune(now)
        # The clients there now came in the order of the dict: the newest are last.
        live = list(islice(reversed(self._live.items()), self.maxLanes))[::-1]
        for protocol, lane in live:
            if lane.welcomed is None:
                lane.welcomed = protocol.startedMono
        lanes = sorted([*self._gone, *(lane for _, lane in live)], key=lambda lane: lane.accepted)
        return lanes[-self.maxLanes:]


def timelineData(state):
    """
    What /timeline.json serves of the server's C{state} (a
    L{tpreactor.model.ServerState}): its lanes, every time in seconds since
    the server started, and no client's text.
    """
    origin = (state.takenAt or 0.0) - state.uptime

    def since(t):
        return None if t is None else round(t - origin, 3)

    return {
        "now": round(state.uptime, 3),
        "window": WINDOW_SECONDS,
        "mode": state.mode,
        "holdsClients": state.holdsClients,
        "lanes": [
            {
                "peer": lane.peer,
                "worker": lane.worker,
                "accepted": since(lane.accepted),
                "welcomed": since(lane.welcomed),
                "left": since(lane.left),
                "work": [[since(a), since(r)] for a, r in lane.work],
                "earlier": lane.earlier,
                "busy": lane.busy,
            }
            for lane in state.timeline or ()
        ],
    }
