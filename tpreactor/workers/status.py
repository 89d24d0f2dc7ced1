# -*- test-case-name: tests.test_workers_status -*-
"""
C{--status} with C{--workers}: the main process serves the status endpoint
itself (the workers do not listen on it). Each read gathers the workers'
snapshots over AMP, leaving out a worker that is gone or does not answer in
time, and merges them with the main process's own: its listening sockets,
its uptime, and its view of whether the server serves.
"""

import json
import os

from twisted.internet import defer

from ..peers import describeListening
from ..status.latency import LatencyWindow
from ..status.recorder import REFUSALS
from ..status.service import StatusService
from ..status.snapshot import backlogOf, merge
from .commands import Snapshot

SECONDS = 1.0
#: How long a worker has to answer a snapshot before it is left out.
SNAPSHOT_SECONDS = 2.0 * SECONDS


def mainSnapshot(server, started, now, modeName):
    """
    The main process's part of the snapshot: C{server} is the
    L{tpreactor.workers.server.WorkersServer}, C{started} and C{now} on its
    monotonic clock. It serves no client itself.
    """
    window = LatencyWindow()
    buckets, total = window.cumulative()
    return {
        "pid": os.getpid(),
        "mode": modeName,
        "holdsClients": server.factory.holdsClients,
        "serving": bool(server.listening and not server.stopping),
        "listening": [describeListening(s.port.getHost()) for s in server.listeners if s.port is not None],
        "uptime": round(now - started, 3),
        "clients": [],
        "waiting": [],
        "backlog": backlogOf(server.factory.ports),
        "messages": 0,
        "refusals": dict.fromkeys(REFUSALS, 0),
        "rate": 0.0,
        "latency": window.summary(now),
        "histogram": {"buckets": [list(b) for b in buckets], "sum": total, "count": 0},
        "pool": {"kind": "inline", "size": 0, "busy": 0, "queued": 0},
    }


def gather(supervisor, clock, seconds=SNAPSHOT_SECONDS):
    """
    Ask every live worker of C{supervisor} for its snapshot: a Deferred
    that fires with C{(number, snapshot)} for each worker that answered
    within C{seconds}, in the order of their numbers.
    """
    numbers = sorted(supervisor.workers)
    asked = [
        supervisor.workers[n].callRemote(Snapshot).addTimeout(seconds, clock).addErrback(lambda _: None)
        for n in numbers
    ]

    def answered(answers):
        states = [(n, None if a is None else json.loads(a["snapshot"])) for n, a in zip(numbers, answers)]
        return [(n, state) for n, state in states if state is not None]

    return defer.gatherResults(asked).addCallback(answered)


def wholeServer(main, workers):
    """
    One snapshot of the server from the main process's C{main} and the
    C{(number, snapshot)} of its C{workers}: merged, with the main
    process's pid and view of the stop, and each client tagged with its
    worker's number.
    """
    numbers = {state["pid"]: number for number, state in workers}
    # The main process last: the pool's kind is the workers'.
    merged = merge([state for _, state in workers] + [main])
    merged["pid"] = main["pid"]
    merged["serving"] = main["serving"]
    for entry in merged["clients"] + merged["waiting"]:
        entry["worker"] = numbers.get(entry["pid"])
    merged["workers"] = [{"number": number, "pid": state["pid"]} for number, state in workers]
    return merged


class GatheredStatusService(StatusService):
    """
    The status endpoint of the main process of C{--workers N}: what it
    serves is gathered from the workers (at most once per the cache's
    interval, however many requests come).

    @ivar server: the L{tpreactor.workers.server.WorkersServer}.
    """

    def record(self):
        # The workers record; the main process only keeps its start time.
        self.monotonic = self.server.factory.clock.monotonic
        self.started = self.monotonic()
        return None

    def snapshot(self):
        """
        A Deferred of the whole server's state.
        """
        main = mainSnapshot(self.server, self.started, self.monotonic(), self.modeName)
        return gather(self.server.workers, self.reactor).addCallback(lambda workers: wholeServer(main, workers))
