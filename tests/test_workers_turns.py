"""
Tests for L{tpreactor.workers.turns}: in a burst no worker runs more than
LEAD connections ahead of the others, it waits for them a millisecond at a
time but not for one that does not move, and nothing of this happens
outside a burst; the counts live in memory two mappings share.
"""

import os

from twisted.internet.task import Clock
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tpreactor.accepting import Accepting
from tpreactor.workers.turns import BURST_LOOPS, LEAD, PAUSE_SECONDS, STALL_SECONDS, Turns, attach, sharedCounts

from .memory import FakePort

#: A full accept loop of a worker (ACCEPTS_PER_WAKE).
LOOP = 16


class Pair:
    """
    Two workers' turns over one memory of counts, on one Clock, each with
    its own Accepting and port, and C{queued} connections in the kernel's
    queue (a burst's, by default).
    """

    def __init__(self, testCase, count=2, queued=200):
        self.clock = Clock()
        self.queued = queued
        self.counts = memoryview(bytearray(8 * (count + 1))).cast("Q")
        self.ports, self.turns = {}, {}
        for number in range(1, count + 1):
            accepting = Accepting(0)
            port = self.ports[number] = FakePort()
            accepting.add(port)
            self.turns[number] = Turns(self.counts, number, count, self.clock, accepting, self.clock.seconds,
                                       lambda port: self.queued)

    def loop(self, number, accepted=LOOP):
        """
        Worker C{number} takes a loop of C{accepted}, if it may: whether it did.
        """
        turns = self.turns[number]
        if not turns.mayAccept():
            return False
        turns.took(accepted, LOOP, self.ports[number])
        return True


class TurnsTests(SynchronousTestCase):
    def test_aheadWaitsForTheOthers(self):
        """
        In a burst a worker more than LEAD ahead of the other stops
        accepting for a millisecond at a time, and goes on once the other
        has taken its share.
        """
        pair = Pair(self)
        taken = 0
        while pair.loop(1):
            taken += LOOP
        self.assertEqual(taken, LEAD + LOOP)
        self.assertFalse(pair.ports[1].accepting)
        self.assertTrue(pair.ports[2].accepting)
        pair.clock.advance(PAUSE_SECONDS)
        self.assertTrue(pair.ports[1].accepting)
        self.assertFalse(pair.loop(1))  # still ahead, the other has not moved
        pair.loop(2)
        pair.loop(2)
        pair.clock.advance(PAUSE_SECONDS)
        self.assertTrue(pair.loop(1))

    def test_splitOfABurst(self):
        """
        A burst of 200 taken by a fast worker and one at a quarter of its speed splits within LEAD of half.
        """
        pair = Pair(self)
        taken = {1: 0, 2: 0}
        step = 0
        while taken[1] + taken[2] < 200:
            step += 1
            if pair.loop(1):
                taken[1] += LOOP
            if step % 4 == 0 and pair.loop(2):
                taken[2] += LOOP
            pair.clock.advance(PAUSE_SECONDS / 4)
        self.assertLessEqual(abs(taken[1] - taken[2]), LEAD + LOOP)

    def test_stalledNotWaitedFor(self):
        """
        A worker that does not accept at all (busy, stopped, gone) is waited for STALL_SECONDS at most.
        """
        pair = Pair(self)
        while pair.loop(1):
            pass
        waited = 0.0
        while not pair.loop(1):
            pair.clock.advance(PAUSE_SECONDS)
            waited += PAUSE_SECONDS
        self.assertAlmostEqual(waited, STALL_SECONDS, delta=PAUSE_SECONDS)
        for _ in range(20):
            self.assertTrue(pair.loop(1))

    def test_outsideABurst(self):
        """
        Loops that empty the queue (fewer than they could take) are no burst: never held back, however many.
        """
        pair = Pair(self)
        for _ in range(100):
            self.assertTrue(pair.loop(1, accepted=3))
        self.assertTrue(pair.ports[1].accepting)

    def test_shallowQueueIsNoBurst(self):
        """
        Full loops with no more queued than one more loop takes (a busy
        server's ordinary traffic) hold nobody back.
        """
        pair = Pair(self, queued=BURST_LOOPS * LOOP)
        for _ in range(100):
            self.assertTrue(pair.loop(1))
        pair.queued += 1
        self.assertTrue(pair.loop(1))
        self.assertFalse(pair.loop(1))
        self.assertFalse(pair.ports[1].accepting)

    def test_burstEndsWhenTheQueueIsEmpty(self):
        """
        A burst ends with the first loop that empties the queue: loops that do are never held back, however far ahead.
        """
        pair = Pair(self)
        while pair.loop(1):
            pass
        pair.clock.advance(STALL_SECONDS)
        self.assertTrue(pair.loop(1, accepted=2))
        for _ in range(10):
            self.assertTrue(pair.loop(1, accepted=2))

    def test_wholeCountsCompared(self):
        """
        What a worker took before a burst was seen counts in it: one far ahead already waits at the burst's first full loop.
        """
        pair = Pair(self, queued=0)
        for _ in range(10):
            pair.loop(1)  # full loops, but no burst queued
        pair.queued = 200
        self.assertTrue(pair.loop(1))  # this loop sees the burst
        self.assertFalse(pair.loop(1))
        for _ in range(11):
            pair.loop(2)
        pair.clock.advance(PAUSE_SECONDS)
        self.assertTrue(pair.loop(1))

    def test_alone(self):
        """
        A single worker takes no turns.
        """
        pair = Pair(self, count=1)
        for _ in range(50):
            self.assertTrue(pair.loop(1))

    def test_acceptLoopAsksAndTells(self):
        """
        Accepting runs an accept loop only when the turns allow it, and tells them how many it took.
        """
        pair = Pair(self)
        accepting = pair.turns[1].accepting
        port = AcceptingPort(accepts=LOOP)
        accepting.perWake = LOOP
        accepting.turns = pair.turns[1]
        accepting.add(port)
        pair.ports[1] = port
        while port.accepting:
            port.doRead()
        self.assertEqual(pair.counts[1], port.sessionno)
        self.assertEqual(port.loops, LEAD // LOOP + 1)
        port.accepting = True
        port.doRead()
        self.assertEqual(port.loops, LEAD // LOOP + 1)


class AcceptingPort(FakePort):
    """
    A listening port whose every accept loop takes C{accepts} connections, as
    Twisted's counts them (C{sessionno}).
    """

    def __init__(self, accepts):
        FakePort.__init__(self)
        self.accepts = accepts
        self.numberAccepts = 100
        self.sessionno = 0
        self.loops = 0

    def doRead(self):
        self.loops += 1
        self.sessionno += min(self.accepts, self.numberAccepts)


class SharedMemoryTests(SynchronousTestCase):
    def test_countsSharedBetweenMappings(self):
        """
        What one worker counts, another reads, through the memory the main process made (its descriptor closed once mapped).
        """
        fd = sharedCounts(2)
        if fd is None:
            raise SkipTest("no memfd_create here")
        self.addCleanup(os.close, fd)
        first, second = attach(os.dup(fd), 2), attach(os.dup(fd), 2)
        first[1] += 40
        second[2] += 7
        self.assertEqual((second[1], first[2], len(first)), (40, 7, 3))
