# -*- test-case-name: tests.test_status_web -*-
"""
/metrics: the server's state (a L{tpreactor.model.ServerState}) as
Prometheus text, through a registry of our own (never the process-wide one)
whose collector reads the state of the scrape.
"""

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.utils import floatToGoString

__all__ = ["CONTENT_TYPE_LATEST", "metricsRegistry", "exposition"]


class StateCollector:
    """
    The tpreactor metrics of the state C{read()} returns (one recorded by
    the status endpoint: its counters and latencies are there).
    """

    def __init__(self, read):
        self.read = read

    def collect(self):
        s = self.read()
        yield GaugeMetricFamily(
            "tpreactor_connections_active", "Clients being served now.", value=len(s.clients)
        )
        yield CounterMetricFamily(
            "tpreactor_messages", "Messages answered (error lines included).", value=s.messages or 0
        )
        refusals = CounterMetricFamily(
            "tpreactor_refusals", "Connections turned away before their welcome, by reason.", labels=["reason"]
        )
        for reason, count in sorted((s.refusals or {}).items()):
            refusals.add_metric([reason], count)
        yield refusals
        yield GaugeMetricFamily(
            "tpreactor_waiting",
            "Clients waiting their turn: held by the server plus queued in the kernel.",
            value=len(s.waiting) + (s.backlog or 0),
        )
        histogram = s.histogram or {"buckets": [], "sum": 0.0, "count": 0}
        buckets = [(floatToGoString(bound), count) for bound, count in histogram["buckets"]]
        buckets.append(("+Inf", histogram["count"]))
        yield HistogramMetricFamily(
            "tpreactor_reply_seconds",
            "Seconds from a message framed to its reply written.",
            buckets=buckets,
            sum_value=histogram["sum"],
        )
        yield GaugeMetricFamily("tpreactor_serving", "1 while serving, 0 once a stop has begun.", value=int(s.serving))
        pool = s.pool
        yield GaugeMetricFamily("tpreactor_pool_busy", "Pool slots at work.", value=pool["busy"])
        yield GaugeMetricFamily("tpreactor_pool_size", "Pool slots.", value=pool["size"])
        if s.workers:  # with --workers: the workers that did not answer this read
            silent = GaugeMetricFamily("tpreactor_worker_silent", "Workers that did not answer this read (1 each).",
                                       labels=["worker", "pid"])
            for worker in s.silent:
                silent.add_metric([str(worker.number), str(worker.pid)], 1)
            yield silent


def metricsRegistry(read):
    """
    A registry of our own with the collector of the state C{read()} gives.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(read))
    return registry


def exposition(registry):
    """
    The Prometheus text of C{registry}.
    """
    return generate_latest(registry)
