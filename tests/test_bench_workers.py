"""
C{tpreactor-bench --workers}: the bench starts the tpreactor servers with
C{--workers N}, one column per count, waits until every worker accepts, and
counts the busiest worker as the server's reactor.
"""

import re

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.bench.cli import makeParser, makeServers
from tpreactor.bench.servers import WORKER_READY, CpuSample, Server, cpuDelta
from tpreactor.bench.twistd import tpreactorArgs
from tpreactor.messages import catalogue


class WorkersOptionTests(SynchronousTestCase):
    def test_argsCarryWorkers(self):
        """
        --workers N reaches the server's command line; without it nothing is added.
        """
        self.assertEqual(tpreactorArgs("reactor", 1234, workers=2)[-2:], ["--workers", "2"])
        self.assertNotIn("--workers", tpreactorArgs("reactor", 1234))

    def test_oneColumnPerCount(self):
        """
        --workers 1,2 gives each mode one server per count, labelled with it.
        """
        args = makeParser().parse_args(["chat", "--modes", "reactor", "--variants", "default", "--workers", "1,2"])
        servers = makeServers(args)
        self.assertEqual([s.label for s in servers], ["reactor w1", "reactor w2"])
        self.assertEqual([s.workers for s in servers], [1, 2])
        self.assertEqual([s.settings["workers"] for s in servers], [1, 2])
        self.assertEqual(servers[1].args[-2:], ["--workers", "2"])

    def test_readyLineMatchesTheServers(self):
        """
        The bench's pattern for a worker that accepts matches the server's own line, in both languages.
        """
        for lang in ("es", "en"):
            line = catalogue(lang).workerReady.format(worker=2, pid=99)
            self.assertTrue(WORKER_READY.search(line), line)


class BusiestWorkerTests(SynchronousTestCase):
    def test_busiestReactor(self):
        """
        With workers, the reactor utilisation is the busiest worker's, not the idle main process's.
        """
        before, after = CpuSample({1: 1.0, 2: 1.0, 3: 1.0}), CpuSample({1: 1.1, 2: 3.0, 3: 2.0})
        after.reactors = [2, 3]
        total, busiest = cpuDelta(before, after, 1)
        self.assertAlmostEqual(total, 3.1)
        self.assertAlmostEqual(busiest, 2.0)

    def test_oneProcess(self):
        """
        Without workers, the reactor is the main process.
        """
        self.assertEqual(Server("x", "mode", "127.0.0.1", 1).workers, 1)
        _, main = cpuDelta(CpuSample({1: 1.0, 2: 1.0}), CpuSample({1: 1.5, 2: 3.0}), 1)
        self.assertAlmostEqual(main, 0.5)
        self.assertTrue(re.compile(WORKER_READY.pattern))
