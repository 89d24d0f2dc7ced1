"""
Tests for L{tpreactor.work}: work kinds and the batching executor.
"""

import time

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.work import MAX_BATCH, BatchingExecutor, CpuWork, SleepWork, runWork

from .memory import Server


class RecordingExecutor(BatchingExecutor):
    """
    Keeps the chunks it is given; the test completes them.
    """

    def __init__(self, reactor, work, slots):
        BatchingExecutor.__init__(self, reactor, work, slots)
        self.chunks = []

    def _submit(self, chunk):
        self.chunks.append(chunk)

    def completeOne(self):
        chunk = self.chunks.pop(0)
        self._deliver([(p, [None] * len(texts)) for p, texts in chunk], True)


class BatchingTests(SynchronousTestCase):
    def setUp(self):
        self.clock = Clock()
        self.executor = RecordingExecutor(self.clock, SleepWork(0.001), 4)
        self.server = Server(executor=self.executor)

    def test_oneRoundPerIteration(self):
        """
        Messages from many clients in one reactor iteration go out as at most
        C{slots} chunks, spread evenly.
        """
        clients = [self.server.connect() for _ in range(10)]
        for c in clients:
            c.send(b"hola\n")
        self.assertEqual(self.executor.chunks, [])
        self.clock.advance(0)
        self.assertEqual([len(chunk) for chunk in self.executor.chunks], [3, 3, 2, 2])

    def test_slotsBoundWorkInFlight(self):
        """
        With every slot busy, new messages wait in their connection; a
        finished chunk lets the next round go.
        """
        clients = [self.server.connect() for _ in range(10)]
        for c in clients:
            c.send(b"a\n")
        self.clock.advance(0)
        for c in clients:
            c.send(b"b\n")
        self.clock.advance(0)
        self.assertEqual(len(self.executor.chunks), 4)
        self.executor.completeOne()
        self.assertEqual(len(self.executor.chunks), 4)

    def test_freedSlotTakesAnEvenShare(self):
        """
        When one slot frees up while the others are busy, it takes an even
        share of the connections waiting, not all of them: the others wait
        for the next free slot, not behind each other in one chunk.
        """
        executor = RecordingExecutor(self.clock, SleepWork(1), 4)
        server = Server(executor=executor)
        clients = [server.connect() for _ in range(12)]
        for c in clients:
            c.send(b"largo\n")
        self.assertEqual([len(chunk) for chunk in executor.chunks], [1, 1, 1, 1])
        executor.completeOne()
        self.assertEqual([len(chunk) for chunk in executor.chunks], [1, 1, 1, 2])

    def test_repliesFollowCompletion(self):
        client = self.server.connect()
        client.lines()
        client.send(b"uno\ndos\n")
        self.clock.advance(0)
        ((protocol, texts),) = self.executor.chunks[0]
        self.assertEqual(texts, ["uno", "dos"])
        self.executor.completeOne()
        self.assertEqual(len(client.lines()), 2)

    def test_batchSizeFollowsWork(self):
        """
        Short work is batched up to MAX_BATCH per connection; long work goes
        one message at a time, so each reply comes as soon as it is done.
        """
        self.assertEqual(RecordingExecutor(self.clock, SleepWork(0.0001), 2).batchSize, 50)
        self.assertEqual(RecordingExecutor(self.clock, SleepWork(1), 2).batchSize, 1)
        self.assertEqual(RecordingExecutor(self.clock, SleepWork(0), 2).batchSize, MAX_BATCH)


class WorkTests(SynchronousTestCase):
    def test_runWorkReportsFailures(self):
        def work(text):
            if text == "bad":
                raise ValueError("no good")
            if text == "empty":
                raise RuntimeError()

        self.assertEqual(runWork(work, ["ok", "bad", "empty"]), [None, "ValueError: no good", "RuntimeError"])

    def test_cpuWorkCostsCpuTime(self):
        """
        The cpu kind burns about the CPU time asked for (calibrated once).
        """
        work = CpuWork(0.05)
        before = time.thread_time()
        work("x")
        spent = time.thread_time() - before
        self.assertGreater(spent, 0.02)
        self.assertLess(spent, 0.5)


class ChunkTests(SynchronousTestCase):
    def test_shortWorkSharesAHop(self):
        """
        Work much shorter than a thread hop goes several connections to a
        chunk, instead of one hop each.
        """
        clock = Clock()
        executor = RecordingExecutor(clock, SleepWork(0.0001), 10)
        server = Server(executor=executor)
        for c in [server.connect() for _ in range(15)]:
            c.send(b"x\n")
        clock.advance(0)
        self.assertEqual([len(chunk) for chunk in executor.chunks], [10, 5])

    def test_longWorkStartsAtOnce(self):
        """
        Long work does not wait for the end of the reactor iteration.
        """
        clock = Clock()
        executor = RecordingExecutor(clock, SleepWork(0.5), 4)
        client = Server(executor=executor).connect()
        client.send(b"x\n")
        self.assertEqual(len(executor.chunks), 1)
