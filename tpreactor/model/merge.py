# -*- test-case-name: tests.test_workers_model -*-
"""
The whole server's state from several processes' (C{--workers}): the main
process's own (its listening sockets, its view of the stop) and each
worker's that answered, its clients tagged with the worker; the counters
the main process kept (which never go back, workers gone included), and a
record of every worker, the silent ones marked.
"""

from dataclasses import replace

from ..status.latency import percentile
from ..status.timeline import MAX_LANES
from . import WorkerRecord


def _addLists(lists):
    return [sum(column) for column in zip(*lists)]


def _latency(states):
    """
    The last minute's latency of several processes: their bins added, the
    percentiles taken again; C{None} when none recorded.
    """
    recorded = [s.latency for s in states if s.latency is not None]
    if not recorded:
        return None
    bins = _addLists([latency["bins"] for latency in recorded])
    return {"p50": percentile(bins, 0.5), "p99": percentile(bins, 0.99), "count": sum(bins), "bins": bins}


def _histogram(states):
    """
    The reply-time histograms of several processes, added up.
    """
    histograms = [s.histogram for s in states if s.histogram is not None and s.histogram["buckets"]]
    if not histograms:
        return None
    return {
        "buckets": [[b[0], sum(h["buckets"][i][1] for h in histograms)] for i, b in enumerate(histograms[0]["buckets"])],
        "sum": sum(h["sum"] for h in histograms),
        "count": sum(h["count"] for h in histograms),
    }


def _pool(main, states):
    pools = [s.pool for s in states] or [main.pool]
    return {
        "kind": pools[0]["kind"],
        "size": sum(p["size"] for p in pools),
        "busy": sum(p["busy"] for p in pools),
        "queued": sum(p["queued"] for p in pools),
    }


def _timeline(answered):
    """
    The lanes of every worker that recorded, tagged with their worker, in
    the order they were accepted, the newest L{MAX_LANES}.
    """
    lanes = [lane for number, s in answered for lane in _tagged(s.timeline or (), number, s.pid)]
    if not any(s.timeline is not None for _, s in answered):
        return None
    return tuple(sorted(lanes, key=lambda lane: lane.accepted)[-MAX_LANES:])


def _tagged(records, number, pid):
    return tuple(replace(r, worker=number, pid=pid) for r in records)


def mergeStates(main, answered, silent=(), counters=None):
    """
    One L{ServerState} for the whole server.

    @param main: the main process's state (no clients of its own).
    @param answered: C{(number, state)} of each worker that answered, in
        the order of their numbers.
    @param silent: the L{WorkerRecord}s of the workers that did not answer.
    @param counters: the counters the main process kept for the whole
        server (messages, refusals, histogram: see
        L{tpreactor.workers.counters}), or C{None} to add up the workers'.
    """
    states = [state for _, state in answered]
    recording = any(s.messages is not None for s in states)
    recorded = {}
    if counters is not None:
        recorded = {"messages": counters["messages"], "refusals": counters["refusals"],
                    "histogram": counters["histogram"]}
    elif recording:
        refusals = {}
        for s in states:
            for reason, count in (s.refusals or {}).items():
                refusals[reason] = refusals.get(reason, 0) + count
        recorded = {"messages": sum(s.messages or 0 for s in states), "refusals": refusals,
                    "histogram": _histogram(states)}
    if recording or counters is not None:
        recorded["rate"] = sum(s.rate or 0.0 for s in states)
        recorded["latency"] = _latency(states)
        recorded["timeline"] = _timeline(answered)
    workers = [WorkerRecord(number, s.pid, len(s.clients) + len(s.waiting)) for number, s in answered]
    workers += list(silent)
    backlogs = [s.backlog for s in states] + [main.backlog]
    return replace(
        main,
        clients=tuple(c for number, s in answered for c in _tagged(s.clients, number, s.pid)),
        waiting=tuple(c for number, s in answered for c in _tagged(s.waiting, number, s.pid)),
        # Workers share the listening sockets: one kernel queue.
        backlog=None if None in backlogs else max(backlogs),
        pool=_pool(main, states),
        workers=tuple(sorted(workers, key=lambda w: w.number)),
        **recorded,
    )
