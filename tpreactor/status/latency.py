# -*- test-case-name: tests.test_status_latency -*-
"""
Reply latency in per-second buckets: cheap to record (one bisect and two
integer increments), percentiles over the last minute computed on read,
and bin counts that add up across processes.
"""

from bisect import bisect_left

SECONDS = 1.0
#: The window the percentiles and the rate look back over.
WINDOW_SECONDS = 60
#: The rate is taken over this many whole seconds before the current one.
RATE_SECONDS = 10

#: Bin edges, in seconds: 1 µs to 100 s, no bin wider than 25 %. Bin I
#: holds latencies in (EDGES[I-1], EDGES[I]]; the last bin, past EDGES[-1].
_MANTISSAS = ("1", "1.25", "1.5", "2", "2.5", "3", "4", "5", "6", "8")
EDGES = tuple(float(f"{m}e{e}") for e in range(-6, 2) for m in _MANTISSAS) + (100.0,)
#: The buckets /metrics shows (each one of L{EDGES}).
PROMETHEUS_BUCKETS = tuple(float(f"{m}e{e}") for e in range(-4, 0) for m in ("1", "2.5", "5")) + (
    1.0, 2.5, 5.0, 10.0,
)


def percentile(bins, fraction):
    """
    The upper edge of the bin that holds the C{fraction} quantile of
    C{bins} (counts per bin of L{EDGES}), or C{None} when they are empty.
    """
    total = sum(bins)
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for index, count in enumerate(bins):
        seen += count
        if count and seen >= rank:
            return EDGES[min(index, len(EDGES) - 1)]
    return EDGES[-1]


class LatencyWindow:
    """
    Counts of replies per latency bin, per second of the last minute, and
    since the start (for the Prometheus histogram).

    @ivar total: counts per bin since the start.
    @ivar sum: the latencies added up since the start, in seconds.
    @ivar count: how many replies since the start.
    """

    def __init__(self, seconds=WINDOW_SECONDS):
        self.size = len(EDGES) + 1
        self.seconds = seconds
        self._slots = [[-1, [0] * self.size] for _ in range(seconds)]
        self._current = self._slots[0]
        self.total = [0] * self.size
        self.sum = 0.0
        self.count = 0

    def observe(self, latency, now):
        """
        One reply, C{latency} seconds after its message came, at monotonic
        time C{now}.
        """
        second = int(now)
        slot = self._current
        if slot[0] != second:
            slot = self._current = self._slots[second % self.seconds]
            if slot[0] != second:
                slot[0] = second
                slot[1] = [0] * self.size
        index = bisect_left(EDGES, latency)
        slot[1][index] += 1
        self.total[index] += 1
        self.sum += latency
        self.count += 1

    def recent(self, now, seconds=None):
        """
        The counts per bin over the C{seconds} (default: the whole window)
        up to C{now}, the current second included.
        """
        return self._since(int(now) - (seconds or self.seconds) + 1, int(now))

    def _since(self, first, last):
        bins = [0] * self.size
        for second, counts in self._slots:
            if first <= second <= last:
                for index, count in enumerate(counts):
                    bins[index] += count
        return bins

    def rate(self, now):
        """
        Replies per second over the L{RATE_SECONDS} whole seconds before the
        current one.
        """
        last = int(now) - 1
        return sum(self._since(last - RATE_SECONDS + 1, last)) / RATE_SECONDS

    def summary(self, now):
        """
        What a snapshot says of the last minute: p50 and p99 (bin upper
        edges, in seconds), how many replies, and the bins themselves.
        """
        bins = self.recent(now)
        return {
            "p50": percentile(bins, 0.50),
            "p99": percentile(bins, 0.99),
            "count": sum(bins),
            "bins": bins,
        }

    def cumulative(self):
        """
        The Prometheus histogram since the start: (upper bound, count at or
        under it) for each of L{PROMETHEUS_BUCKETS} (C{+Inf} is L{count}),
        and the sum.
        """
        buckets, seen, index = [], 0, 0
        for bound in PROMETHEUS_BUCKETS:
            while index < len(EDGES) and EDGES[index] <= bound:
                seen += self.total[index]
                index += 1
            buckets.append((bound, seen))
        return buckets, self.sum
