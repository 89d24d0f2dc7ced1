"""
Tests for L{tpreactor.bench.scaling}: the speed-up of --workers measured and
modelled from a run's own CPU figures.
"""

import os
import tempfile

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tpreactor.bench.scaling import main, modelRate, rows, table


def run(one, two, cores=2):
    """
    A bench JSON document of one job with a one-worker and a two-worker server.
    """
    return {
        "config": {"cores": cores, "load_processes": 1,
                   "servers": [{"label": "reactor w1", "workers": 1}, {"label": "reactor w2", "workers": 2}]},
        "jobs": [{"name": "chat 1000 × 20", "results": {"reactor w1": one, "reactor w2": two}}],
    }


class ModelTests(SynchronousTestCase):
    def test_serverBound(self):
        """
        A cheap load generator on many cores: the server's cores are the bound, so W workers give W times.
        """
        self.assertAlmostEqual(modelRate(100, 1, 8, 2) / modelRate(100, 1, 8, 1), 2.0)

    def test_sharedCores(self):
        """
        On 2 cores with the load generator as costly as the server, two workers gain nothing.
        """
        self.assertAlmostEqual(modelRate(100, 100, 2, 2) / modelRate(100, 100, 2, 1), 1.0)

    def test_inBetween(self):
        """
        The load generator at half the server's cost on 2 cores: 2 / 1.5, a third more.
        """
        self.assertAlmostEqual(modelRate(100, 50, 2, 2) / modelRate(100, 50, 2, 1), 4 / 3)


class RowsTests(SynchronousTestCase):
    def test_rows(self):
        """
        Each server's rate over the one-worker server's, beside the model's.
        """
        found = rows([run({"per_second": 1000, "server_cpu_us_per_op": 100, "load_cpu_us_per_op": 50},
                          {"per_second": 1250, "server_cpu_us_per_op": 110, "load_cpu_us_per_op": 50})])
        self.assertEqual([r["workers"] for r in found], [1, 2])
        self.assertAlmostEqual(found[1]["speedup"], 1.25)
        self.assertAlmostEqual(found[1]["model"], 4 / 3)
        self.assertIn("| chat 1000 × 20 | reactor w2 | 2 | 1,250 | 1.25× | 1.33× |", table(found))

    def test_missingFigures(self):
        """
        Without the CPU figures the model is n/a, the measured speed-up still shows.
        """
        found = rows([run({"per_second": 1000}, {"per_second": 1500})])
        self.assertIn("| 1.50× | n/a |", table(found))

    def test_plot(self):
        """
        The picture is written.
        """
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise SkipTest("matplotlib is not installed (tpreactor[bench] installs it)")
        import json

        folder = tempfile.mkdtemp(prefix="tpreactor-test-")
        source, picture = os.path.join(folder, "run.json"), os.path.join(folder, "scaling.png")
        with open(source, "w", encoding="utf-8") as f:
            json.dump(run({"per_second": 1000, "server_cpu_us_per_op": 100, "load_cpu_us_per_op": 50},
                          {"per_second": 1250}), f)
        self.assertEqual(main([source, "--plot", picture]), 0)
        self.assertGreater(os.path.getsize(picture), 1000)
