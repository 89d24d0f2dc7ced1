# -*- test-case-name: tests.test_workers_status -*-
"""
C{--status} with C{--workers}: the main process serves the status endpoint
itself (the workers do not listen on it). Each read gathers the workers'
snapshots over AMP, leaving out a worker that is gone or does not answer
within a second (and naming the latter, C{silent}), and merges them with the
main process's own: its listening sockets, its uptime, its view of whether
the server serves, and the counters of every worker it ever had (see
L{tpreactor.workers.counters}), so that they never go back.
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
from .counters import countersIn
from .supervisor import ANSWER_SECONDS

#: How long a worker has to answer a snapshot before it is left out.
SNAPSHOT_SECONDS = ANSWER_SECONDS


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
    within C{seconds}, in the order of their numbers, and C{(number, pid)}
    for each that did not answer in time. What each counted goes to the
    supervisor's C{tally}.
    """
    workers = [supervisor.workers[n] for n in sorted(supervisor.workers)]
    asked = [w.callRemote(Snapshot).addTimeout(seconds, clock) for w in workers]
    tally = getattr(supervisor, "tally", None)

    def answered(results):
        states, silent = [], []
        for worker, (ok, value) in zip(workers, results):
            if not ok:
                if value.check(defer.TimeoutError):
                    silent.append((worker.number, worker.pid))
                continue
            state = json.loads(value["snapshot"])
            if state is not None:
                states.append((worker.number, state))
                if tally is not None:
                    tally.saw(worker, countersIn(state))
        return states, silent

    return defer.DeferredList(asked, consumeErrors=True).addCallback(answered)


def wholeServer(main, workers, silent=(), counters=None):
    """
    One snapshot of the server from the main process's C{main} and the
    C{(number, snapshot)} of its C{workers}: merged, with the main
    process's pid and view of the stop, each client tagged with its
    worker's number, the workers that did not answer (C{silent}: their
    C{(number, pid)}), and the whole server's C{counters} when given.
    """
    numbers = {state["pid"]: number for number, state in workers}
    # The main process last: the pool's kind is the workers'.
    merged = merge([state for _, state in workers] + [main])
    merged["pid"] = main["pid"]
    merged["serving"] = main["serving"]
    for entry in merged["clients"] + merged["waiting"]:
        entry["worker"] = numbers.get(entry["pid"])
    merged["workers"] = [{"number": number, "pid": state["pid"]} for number, state in workers]
    merged["silent"] = [{"number": number, "pid": pid} for number, pid in silent]
    if counters is not None:
        merged["messages"], merged["refusals"] = counters["messages"], counters["refusals"]
        if counters["histogram"]["buckets"]:  # none until some worker said its own
            merged["histogram"] = counters["histogram"]
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
        supervisor = self.server.workers

        def whole(gathered):
            workers, silent = gathered
            return wholeServer(main, workers, silent, supervisor.tally.total())

        return gather(supervisor, self.reactor).addCallback(whole)

    def healthy(self):
        """
        Whether the server serves: no stop has begun, and some worker
        accepts and answers.
        """
        return StatusService.healthy(self) and self.server.workers.serving()
