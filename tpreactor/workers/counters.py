# -*- test-case-name: tests.test_workers_counters -*-
"""
The server's counters with C{--workers} only grow: the main process keeps
what every worker last said it had counted (heartbeats, snapshots, its
goodbye) and adds that of the workers gone to that of the live ones, so
that a worker that dies or stops answering takes nothing off
C{tpreactor_messages_total}, C{tpreactor_refusals_total} or
C{tpreactor_reply_seconds} (Prometheus reads a drop as a reset).
"""

from ..status.recorder import REFUSALS, countersOf

__all__ = ["Tally", "countersIn", "countersOf", "nothing"]


def countersIn(state):
    """
    The counters in a worker's state (a L{tpreactor.model.ServerState}
    recorded by the status endpoint).
    """
    return {"messages": state.messages, "refusals": state.refusals, "histogram": state.histogram}


def _combine(pick, first, second):
    """
    C{first} and C{second}, counter by counter, each pair taken by C{pick}
    (C{max}: the later of one process's two readings; C{add}: two processes).
    """
    refusals = dict(first["refusals"])
    for reason, count in second["refusals"].items():
        refusals[reason] = pick(refusals[reason], count) if reason in refusals else count
    one, other = first["histogram"], second["histogram"]
    if not one["buckets"]:
        buckets = [list(b) for b in other["buckets"]]
    elif not other["buckets"]:
        buckets = [list(b) for b in one["buckets"]]
    else:
        buckets = [[a[0], pick(a[1], b[1])] for a, b in zip(one["buckets"], other["buckets"])]
    return {
        "messages": pick(first["messages"], second["messages"]),
        "refusals": refusals,
        "histogram": {"buckets": buckets, "sum": pick(one["sum"], other["sum"]),
                      "count": pick(one["count"], other["count"])},
    }


def _add(a, b):
    return a + b


def nothing():
    """
    The counters of a process that counted nothing.
    """
    return {"messages": 0, "refusals": dict.fromkeys(REFUSALS, 0),
            "histogram": {"buckets": [], "sum": 0.0, "count": 0}}


class Tally:
    """
    What each worker process counted, live or gone, for the life of the
    main process.
    """

    def __init__(self):
        self._live = {}
        self._gone = nothing()

    def saw(self, worker, counters):
        """
        C{worker} (a process, not a number: a replacement starts from zero)
        said it has counted C{counters}; an older reading that arrives late
        takes nothing back.
        """
        if counters is None:
            return
        known = self._live.get(worker)
        self._live[worker] = counters if known is None else _combine(max, known, counters)

    def gone(self, worker):
        """
        C{worker} ended: what it counted stays in the total.
        """
        known = self._live.pop(worker, None)
        if known is not None:
            self._gone = _combine(_add, self._gone, known)

    def total(self):
        """
        The whole server's counters: the workers gone, and the latest of
        each live one.
        """
        total = self._gone
        for counters in self._live.values():
            total = _combine(_add, total, counters)
        return total
