"""
Tests for L{tpreactor.work}: work kinds and the batching executor.
"""

import time

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from tpreactor.interfaces import IExecutor
from tpreactor.work import MAX_BATCH, BatchingExecutor, CpuWork, InlineExecutor, SleepWork, ThreadExecutor, runWork

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
        self._deliver([(p, [None] * len(texts)) for p, texts in chunk])
        self._chunkDone()


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


class ThreadlessReactor(Clock):
    """
    A Clock whose C{callFromThread} calls at once: the "threads" of the fakes
    below are the test's own.
    """

    def callFromThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


class QueuedReactor(Clock):
    """
    A Clock whose C{callFromThread} queues the call until the test runs it,
    as a reactor busy elsewhere would.
    """

    def __init__(self):
        Clock.__init__(self)
        self.threadCalls = []

    def callFromThread(self, f, *args, **kwargs):
        self.threadCalls.append((f, (args, kwargs)))

    def runThreadCalls(self):
        while self.threadCalls:
            f, (args, kwargs) = self.threadCalls.pop(0)
            f(*args, **kwargs)


class QueuedThreadPool:
    """
    A thread pool for C{deferToThreadPool} that runs nothing until told,
    then its calls one at a time, in order.
    """

    def __init__(self):
        self.calls = []

    def callInThreadWithCallback(self, onResult, f, *args, **kwargs):
        self.calls.append((onResult, f, args, kwargs))

    def runOne(self):
        onResult, f, args, kwargs = self.calls.pop(0)
        onResult(True, f(*args, **kwargs))

    def runAll(self):
        while self.calls:
            self.runOne()


class Watching:
    """
    Long work that notes, for each message, how many of C{clients} had
    their reply when its work ran.
    """

    seconds = 0.05

    def __init__(self):
        self.clients = []
        self.seen = []

    def __call__(self, text):
        self.seen.append((text, sum(c.protocol.messages for c in self.clients)))


def watchReplies(test, executor, pool, work, count):
    """
    C{count} clients send a message each to C{executor}; C{pool} runs the
    work, one call at a time; each message's work must see every message
    whose work ran before it answered.
    """
    server = Server(executor=executor)
    work.clients = [server.connect() for _ in range(count)]
    for index, client in enumerate(work.clients):
        client.send(f"m{index}\n".encode())
    executor.reactor.advance(0)
    pool.runAll()
    test.assertEqual([answered for _, answered in work.seen], list(range(count)))
    test.assertEqual(sorted(text for text, _ in work.seen), sorted(f"m{index}" for index in range(count)))
    test.assertTrue(executor.idle)


class ExecutorInterfaceTests(SynchronousTestCase):
    def test_inline(self):
        """
        The inline executor provides IExecutor, trivial or not.
        """
        self.assertTrue(verifyObject(IExecutor, InlineExecutor(SleepWork(0))))
        self.assertTrue(verifyObject(IExecutor, InlineExecutor(SleepWork(0.1))))

    def test_threads(self):
        """
        The thread pool's executor provides IExecutor and is never trivial.
        """
        executor = ThreadExecutor(Clock(), SleepWork(0), 2)
        self.assertTrue(verifyObject(IExecutor, executor))
        self.assertFalse(executor.trivial)

    def test_load(self):
        """
        Each executor says how busy it is: the reactor thread as one free
        slot, a pool by its kind, its size and the slots at work.
        """
        self.assertEqual(InlineExecutor(SleepWork(0)).load(), {"kind": "inline", "size": 1, "busy": 0, "queued": 0})
        executor = ThreadExecutor(Clock(), SleepWork(0.1), 3)
        self.assertEqual(executor.load(), {"kind": "threads", "size": 3, "busy": 0, "queued": 0})

    def test_inlineReady(self):
        """
        An inline executor asked to take a batch runs it at once.
        """

        def fail(text):
            if text == "mal":
                raise ValueError(text)

        class Session:
            def takeBatch(self, limit):
                self.limit = limit
                return ["bien", "mal"]

            def batchDone(self, outcomes):
                self.outcomes = outcomes

        session = Session()
        InlineExecutor(fail).ready(session)
        self.assertEqual((session.limit, session.outcomes), (MAX_BATCH, [None, "ValueError: mal"]))


class ThreadPartTests(SynchronousTestCase):
    def test_eachReplyLeavesWhenItsWorkIsDone(self):
        """
        A chunk's replies leave part by part, as each part's work finishes,
        not all when the last one does.
        """
        work = Watching()
        executor = ThreadExecutor(ThreadlessReactor(), work, 2)
        executor.pool = pool = QueuedThreadPool()
        watchReplies(self, executor, pool, work, 40)

    def test_shortWorkSharesAPart(self):
        """
        Connections with work much shorter than a hop share a part (about 2 ms
        of work), handed back together, and a chunk is one call in the pool.
        """
        executor = ThreadExecutor(ThreadlessReactor(), SleepWork(0.0005), 1)
        executor.pool = pool = QueuedThreadPool()
        handedBack = []
        finished = executor._finished
        executor._finished = lambda results: (handedBack.append(len(results)), finished(results))
        server = Server(executor=executor)
        for client in [server.connect() for _ in range(10)]:
            client.send(b"x\n")
        executor.reactor.advance(0)
        self.assertEqual(len(pool.calls), 1)
        pool.runAll()
        self.assertEqual(handedBack, [4, 4, 2])

    def test_aChunkHoldsOneThread(self):
        """
        A chunk is one call in the pool, so it holds one thread, and a slot
        that frees up starts its next chunk at once.
        """
        executor = ThreadExecutor(ThreadlessReactor(), SleepWork(0.001), 2)
        executor.pool = pool = QueuedThreadPool()
        server = Server(executor=executor)
        clients = [server.connect() for _ in range(8)]
        for client in clients:
            client.send(b"x\n")
        executor.reactor.advance(0)
        self.assertEqual(len(pool.calls), 2)
        pool.runOne()
        self.assertEqual(len(pool.calls), 1)
        clients[0].send(b"y\n")
        executor.reactor.advance(0)
        self.assertEqual(len(pool.calls), 2)

    def test_oneWakeUpForManyParts(self):
        """
        Parts finished in the pool before the reactor gets to them are all
        delivered in one call from the threads, not one each.
        """
        reactor = QueuedReactor()
        executor = ThreadExecutor(reactor, SleepWork(0.002), 4)
        executor.pool = pool = QueuedThreadPool()
        server = Server(executor=executor)
        clients = [server.connect() for _ in range(8)]
        for client in clients:
            client.send(b"x\n")
        reactor.advance(0)
        pool.runAll()
        deliveries = [f for f, _ in reactor.threadCalls if f == executor._deliverDone]
        self.assertEqual(len(deliveries), 1)
        reactor.runThreadCalls()
        self.assertEqual([c.protocol.messages for c in clients], [1] * 8)
        self.assertTrue(executor.idle)

    def test_noWorkForAnEndedConnection(self):
        """
        A connection that ends while its chunk's earlier parts run gets no
        work done, and the chunk's slot is free again.
        """
        texts = []
        executor = ThreadExecutor(ThreadlessReactor(), texts.append, 1)
        executor.pool = pool = QueuedThreadPool()
        server = Server(executor=executor)
        first, second = server.connect(), server.connect()
        first.send(b"uno\n")
        second.send(b"dos\n")
        executor.reactor.advance(0)
        second.lose()
        pool.runAll()
        self.assertEqual(texts, ["uno"])
        self.assertTrue(executor.idle)
