# -*- test-case-name: tests.test_model -*-
"""
One server process's state (L{tpreactor.model.ServerState}), read off its
factory, its listeners and, while the status endpoint is on, its recorder
(L{tpreactor.status.recorder.Recorder}).
"""

import os

from ..peers import describeListening
from ..status.recorder import countersOf
from ..text import escape
from . import ClientRecord, LaneRecord, ServerState

#: The most of a client's last message a state shows, in characters.
LAST_MESSAGE_CHARACTERS = 200
ELLIPSIS = "\u2026"


def _seconds(value):
    return round(value, 3)


def listeningOf(listeners):
    """
    The addresses C{listeners} (listening services) listen on now, as the console writes them.
    """
    return tuple(describeListening(s.port.getHost()) for s in listeners if s.port is not None)


def shownText(text):
    """
    A client's message as a state shows it: escaped, and cut to
    L{LAST_MESSAGE_CHARACTERS} with an ellipsis (one client cannot make
    every state large).
    """
    if len(text) > LAST_MESSAGE_CHARACTERS:
        return escape(text[:LAST_MESSAGE_CHARACTERS]) + ELLIPSIS
    return escape(text)


def clientRecord(protocol, now, recorder=None):
    """
    The L{ClientRecord} of one connection at monotonic time C{now}.
    """
    peer = protocol.peer
    last = None
    came = now
    if recorder is not None:
        came = recorder.since.get(protocol, now)
        text = recorder.lastText.get(protocol)
        last = None if text is None else shownText(text)
    welcomed = protocol.startedMono is not None
    return ClientRecord(
        peer=peer.joined,
        host=peer.host,
        port=peer.port,
        state=protocol.state.phase.value,
        seconds=_seconds(now - (protocol.startedMono if welcomed else came)),
        since=protocol.started.astimezone().isoformat(timespec="seconds") if welcomed else None,
        messages=protocol.messages,
        pending=protocol.pending,
        last=last,
    )


def laneRecords(lanes, offset):
    """
    The timeline's lanes (L{tpreactor.status.timeline.Lane}s, on the
    monotonic clock) as L{LaneRecord}s on the wall clock, C{offset} later.
    """

    def wall(t):
        return None if t is None else round(t + offset, 4)

    return tuple(
        LaneRecord(lane.peer, wall(lane.accepted), wall(lane.welcomed), wall(lane.left),
                   tuple((wall(a), wall(r)) for a, r in lane.marks), lane.earlier, round(lane.busy, 4))
        for lane in lanes
    )


def processState(server, modeName, started, now):
    """
    The state of this process: C{server} is the
    L{tpreactor.service.TimeServer}, C{started} and C{now} on its factory's
    monotonic clock.
    """
    factory = server.factory
    recorder = factory.status
    waiting = list(factory.waiting)
    held = set(waiting)
    takenAt = factory.clock.now().timestamp()
    recorded = {}
    if recorder is not None:
        latency = recorder.latency
        recorded = dict(
            countersOf(recorder),
            rate=latency.rate(now),
            latency=latency.summary(now),
            timeline=laneRecords(recorder.timeline.lanes(now), takenAt - now),
        )
    return ServerState(
        pid=os.getpid(),
        mode=modeName,
        holdsClients=factory.holdsClients,
        serving=bool(server.serving),
        listening=listeningOf(server.listeners),
        uptime=_seconds(now - started),
        clients=tuple(clientRecord(p, now, recorder) for p in factory.connections if p not in held),
        waiting=tuple(clientRecord(p, now, recorder) for p in waiting),
        backlog=server.kernelBacklog(),
        pool=factory.executor.load(),
        takenAt=takenAt,
        **recorded,
    )
