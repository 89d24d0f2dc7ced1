# -*- test-case-name: tests.test_bench -*-
"""Latencies in an HdrHistogram, merged across load processes and summarised for table, JSON and plot."""

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # an hour
SIGNIFICANT_DIGITS = 3
PERCENTILES = (50.0, 90.0, 99.0)


def newHistogram():
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)


def record(histogram, seconds):
    """
    Record one latency given in seconds.
    """
    histogram.record_value(min(HIGHEST_US, max(LOWEST_US, int(seconds * 1e6))))


def encode(histogram):
    return histogram.encode().decode("ascii")


def merge(encodedList):
    """
    One histogram from the encoded histograms of every load process.
    """
    total = newHistogram()
    for encoded in encodedList:
        if encoded:
            total.add(HdrHistogram.decode(encoded.encode("ascii")))
    return total


def summary(histogram):
    """
    Count, mean, p50/p90/p99 and max, in milliseconds (C{None} when empty).
    """
    count = histogram.get_total_count()
    out = {"count": count}
    if not count:
        out.update({"mean_ms": None, "max_ms": None, **{f"p{p:g}_ms": None for p in PERCENTILES}})
        return out
    out["mean_ms"] = histogram.get_mean_value() / 1000.0
    for p in PERCENTILES:
        out[f"p{p:g}_ms"] = histogram.get_value_at_percentile(p) / 1000.0
    out["max_ms"] = histogram.get_max_value() / 1000.0
    return out


def cdf(histogram):
    """
    The latency CDF as C{[[ms, fraction], ...]}, one point per recorded bucket.
    """
    count = histogram.get_total_count()
    points = []
    seen = 0
    for item in histogram.get_recorded_iterator():
        seen += item.count_added_in_this_iter_step
        points.append([item.value_iterated_to / 1000.0, seen / count])
    return points
