"""
Tests for the server's CPU time in the bench (L{tpreactor.bench.servers},
L{tpreactor.bench.saturation}): read to the nanosecond where the kernel
allows, and a CPU figure per operation left out when its clock is too coarse.
"""

import os
import subprocess
import sys
import time

from twisted.trial.unittest import SynchronousTestCase

try:
    import psutil
except ImportError:
    skipReason = "needs tpreactor[bench]"
else:
    skipReason = None
    from tpreactor.bench import saturation
    from tpreactor.bench.servers import NS_CLOCK_RESOLUTION, Server, cpuDelta, cpuResolution, processCpu

#: CPU time burnt between two samples: less than one of psutil's 10 ms ticks.
BURN_SECONDS = 0.003


def burn(seconds):
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


class ResolutionTests(SynchronousTestCase):
    """
    The server's CPU time has the resolution a short run needs.
    """

    skip = skipReason

    def setUp(self):
        if not sys.platform.startswith("linux"):
            raise self.skipTest("the nanosecond CPU clock of another process is Linux's")

    def test_lessThanATick(self):
        """
        A few milliseconds of CPU are measured as such, not as 0 or 10 ms ticks.
        """
        pid = os.getpid()
        server = Server("me", "target", "127.0.0.1", 1, pid=pid)
        outerStart = time.process_time()
        before = server.cpuTimes()
        innerStart = time.process_time()
        burn(BURN_SECONDS)
        innerEnd = time.process_time()
        after = server.cpuTimes()
        outerEnd = time.process_time()
        _, main = cpuDelta(before, after, pid)
        self.assertGreaterEqual(main, innerEnd - innerStart - 1e-4)
        self.assertLessEqual(main, outerEnd - outerStart + 1e-4)
        self.assertEqual(cpuResolution(before, after), NS_CLOCK_RESOLUTION)

    def test_anotherProcess(self):
        """
        The CPU time of another process (the server) is read at nanosecond resolution, threads included.
        """
        code = ("import threading, time\n"
                "t = threading.Thread(target=lambda: sum(range(2_000_000)))\n"
                "t.start(); t.join(); print('done', flush=True); time.sleep(30)\n")
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        self.assertEqual(proc.stdout.readline().strip(), "done")
        seconds, resolution = processCpu(psutil.Process(proc.pid))
        self.assertEqual(resolution, NS_CLOCK_RESOLUTION)
        ticks = psutil.Process(proc.pid).cpu_times()
        self.assertGreater(seconds, 0.0)
        self.assertLess(abs(seconds - (ticks.user + ticks.system)), 0.05)


class PerOperationTests(SynchronousTestCase):
    """
    CPU µs per operation is given only when the clock was fine enough.
    """

    skip = skipReason

    def test_coarseClockLeftOut(self):
        """
        4 ticks of 10 ms for 60 operations is no figure (it was 666.7 µs, give or take 25 %).
        """
        self.assertIsNone(saturation.perOperation(0.04, 60, resolution=0.01))
        self.assertAlmostEqual(saturation.perOperation(0.04, 60, resolution=1e-9), 666.667, places=2)

    def test_enoughTicks(self):
        """
        A CPU time of at least 1 / MAX_CPU_ERROR ticks is given.
        """
        ticks = 1 / saturation.MAX_CPU_ERROR
        self.assertIsNotNone(saturation.perOperation(0.01 * ticks, 10, resolution=0.01))
        self.assertIsNone(saturation.perOperation(0.01 * (ticks - 1), 10, resolution=0.01))
        self.assertIsNotNone(saturation.perOperation(0.5, 10))
