"""
Tests for L{tpreactor.status.latency}: the per-second bins, the
percentiles of the last minute, the rate and the Prometheus histogram.
"""

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.latency import EDGES, PROMETHEUS_BUCKETS, LatencyWindow, percentile


class EdgesTests(SynchronousTestCase):
    def test_sortedAndFine(self):
        """
        The edges rise from 1 µs to 100 s, no bin more than 25 % wider than the one before.
        """
        self.assertEqual(list(EDGES), sorted(EDGES))
        self.assertEqual((EDGES[0], EDGES[-1]), (1e-6, 100.0))
        self.assertTrue(all(b / a <= 1.34 for a, b in zip(EDGES, EDGES[1:])))

    def test_prometheusBucketsAreEdges(self):
        """
        Every Prometheus bucket is one of the edges, so the histogram is exact.
        """
        self.assertTrue(set(PROMETHEUS_BUCKETS) <= set(EDGES))
        self.assertEqual(len(set(PROMETHEUS_BUCKETS)), len(PROMETHEUS_BUCKETS))


class PercentileTests(SynchronousTestCase):
    def test_empty(self):
        """
        No replies: no percentile.
        """
        self.assertIsNone(percentile([0] * (len(EDGES) + 1), 0.5))

    def test_upperEdge(self):
        """
        The percentile is the upper edge of the bin that holds it.
        """
        window = LatencyWindow()
        for _ in range(98):
            window.observe(0.0009, 100.0)
        for _ in range(2):
            window.observe(0.2, 100.0)
        summary = window.summary(100.5)
        self.assertEqual((summary["p50"], summary["p99"], summary["count"]), (0.001, 0.2, 100))


class WindowTests(SynchronousTestCase):
    def test_lastMinuteOnly(self):
        """
        A reply older than a minute no longer counts for the percentiles,
        but still does for the histogram since the start.
        """
        window = LatencyWindow()
        window.observe(0.5, 10.0)
        window.observe(0.002, 65.0)
        self.assertEqual(window.summary(65.0)["count"], 2)
        self.assertEqual(window.summary(70.0)["count"], 1)
        self.assertEqual(window.summary(70.0)["p99"], 0.002)
        self.assertEqual(window.count, 2)

    def test_slotReused(self):
        """
        A second that comes back round the ring starts from zero.
        """
        window = LatencyWindow()
        window.observe(0.5, 3.0)
        window.observe(0.5, 63.0)
        self.assertEqual(window.summary(63.0)["count"], 1)

    def test_rate(self):
        """
        The rate is the replies of the ten whole seconds before this one, per second.
        """
        window = LatencyWindow()
        for second in range(20):
            for _ in range(3):
                window.observe(0.001, second + 0.5)
        window.observe(0.001, 20.1)
        self.assertEqual(window.rate(20.2), 3.0)

    def test_cumulative(self):
        """
        The histogram counts, at each bucket, every reply at or under it, and sums the latencies.
        """
        window = LatencyWindow()
        for latency in (0.0001, 0.003, 0.003, 7.0, 500.0):
            window.observe(latency, 1.0)
        buckets, total = window.cumulative()
        counts = dict(buckets)
        self.assertEqual((counts[0.0001], counts[0.0025], counts[0.005], counts[5.0], counts[10.0]), (1, 1, 3, 3, 4))
        self.assertEqual(window.count, 5)
        self.assertAlmostEqual(total, 507.0061)
