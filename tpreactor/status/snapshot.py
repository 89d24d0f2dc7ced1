# -*- test-case-name: tests.test_status_recorder -*-
"""
The state of one server process as one plain dict (what /status.json
serves, and what the page and /metrics are made from), and how the
snapshots of several processes add up to one.
"""

import os

from ..peers import describeListening
from ..shutdown.listening import queuedConnections
from ..text import escape
from .latency import percentile


#: The most of a client's last message a snapshot shows, in characters.
LAST_MESSAGE_CHARACTERS = 200
ELLIPSIS = "\u2026"


def _seconds(value):
    return round(value, 3)


def shownText(text):
    """
    A client's message as a snapshot shows it: escaped, and cut to
    L{LAST_MESSAGE_CHARACTERS} with an ellipsis (one client cannot make
    every snapshot large).
    """
    if len(text) > LAST_MESSAGE_CHARACTERS:
        return escape(text[:LAST_MESSAGE_CHARACTERS]) + ELLIPSIS
    return escape(text)


def _clientOf(protocol, now, recorder):
    peer = protocol.peer
    came = recorder.since.get(protocol, now)
    last = recorder.lastText.get(protocol)
    return {
        "peer": peer.joined,
        "host": peer.host,
        "port": peer.port,
        "since": protocol.started.astimezone().isoformat(timespec="seconds") if protocol.started else None,
        "seconds": _seconds(now - (protocol.startedMono if protocol.startedMono is not None else came)),
        "messages": protocol.messages,
        "pending": protocol.pending,
        "last": None if last is None else shownText(last),
        "state": protocol.state.phase.value,
    }


def _waitingOf(protocol, now, recorder):
    peer = protocol.peer
    return {
        "peer": peer.joined,
        "host": peer.host,
        "port": peer.port,
        "seconds": _seconds(now - recorder.since.get(protocol, now)),
    }


def backlogOf(ports):
    """
    How many connections wait in the kernel's accept queue of C{ports}, or
    C{None} where the system does not tell.
    """
    queued = [queuedConnections(port) for port in ports]
    return None if None in queued else sum(queued)


def snapshot(server, recorder, modeName):
    """
    The state of this process: C{server} is the L{tpreactor.service.TimeServer},
    C{recorder} its L{tpreactor.status.recorder.Recorder}.
    """
    factory = server.factory
    now = recorder.monotonic()
    waiting = list(factory.waiting)
    held = set(waiting)
    clients = [_clientOf(p, now, recorder) for p in factory.connections if p not in held]
    latency = recorder.latency
    recent = latency.summary(now)
    buckets, total = latency.cumulative()
    return {
        "pid": os.getpid(),
        "mode": modeName,
        "holdsClients": factory.holdsClients,
        "serving": bool(server.listening and not server.stopping),
        "listening": [describeListening(s.port.getHost()) for s in server.listeners if s.port is not None],
        "uptime": _seconds(now - recorder.started),
        "clients": clients,
        "waiting": [_waitingOf(p, now, recorder) for p in waiting],
        "backlog": backlogOf(factory.ports),
        "messages": recorder.messages,
        "refusals": dict(recorder.refusals),
        "rate": latency.rate(now),
        "latency": recent,
        "histogram": {"buckets": [list(b) for b in buckets], "sum": total, "count": latency.count},
        "pool": factory.executor.load(),
    }


def _addLists(lists):
    return [sum(column) for column in zip(*lists)]


def merge(snapshots):
    """
    One snapshot for several processes (a main process and its workers):
    counts, bins and pools add up, the lists are joined (each entry tagged
    with its process), the percentiles are taken again from the bins, and
    the server serves while all of them do.
    """
    first = snapshots[0]
    clients = [dict(c, pid=s["pid"]) for s in snapshots for c in s["clients"]]
    waiting = [dict(w, pid=s["pid"]) for s in snapshots for w in s["waiting"]]
    bins = _addLists([s["latency"]["bins"] for s in snapshots])
    refusals = {}
    for s in snapshots:
        for reason, count in s["refusals"].items():
            refusals[reason] = refusals.get(reason, 0) + count
    backlogs = [s["backlog"] for s in snapshots]
    pools = [s["pool"] for s in snapshots]
    histograms = [s["histogram"] for s in snapshots]
    return {
        "pid": first["pid"],
        "mode": first["mode"],
        "holdsClients": first["holdsClients"],
        "serving": all(s["serving"] for s in snapshots),
        "listening": sorted({a for s in snapshots for a in s["listening"]}),
        "uptime": max(s["uptime"] for s in snapshots),
        "clients": clients,
        "waiting": waiting,
        # Workers share the listening sockets, so they see one kernel queue.
        "backlog": None if None in backlogs else max(backlogs),
        "messages": sum(s["messages"] for s in snapshots),
        "refusals": refusals,
        "rate": sum(s["rate"] for s in snapshots),
        "latency": {"p50": percentile(bins, 0.5), "p99": percentile(bins, 0.99), "count": sum(bins), "bins": bins},
        "histogram": {
            "buckets": [[b[0], sum(h["buckets"][i][1] for h in histograms)] for i, b in enumerate(first["histogram"]["buckets"])],
            "sum": sum(h["sum"] for h in histograms),
            "count": sum(h["count"] for h in histograms),
        },
        "pool": {
            "kind": pools[0]["kind"],
            "size": sum(p["size"] for p in pools),
            "busy": sum(p["busy"] for p in pools),
            "queued": sum(p["queued"] for p in pools),
        },
    }

