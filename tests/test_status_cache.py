"""
One snapshot per interval for every status request (L{tpreactor.status.cache}).
"""

from twisted.internet import defer
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.cache import SNAPSHOT_SECONDS, SnapshotCache

RENDER = {"json": lambda state: repr(state).encode()}


class Reads:
    """
    A snapshot source that counts how often it is read.
    """

    def __init__(self, later=False):
        self.count = 0
        self.later = later
        self.pending = []

    def __call__(self):
        self.count += 1
        if not self.later:
            return {"n": self.count}
        d = defer.Deferred()
        self.pending.append(d)
        return d


class SnapshotCacheTests(SynchronousTestCase):
    def test_sharedWithinTheInterval(self):
        """
        Every read within L{SNAPSHOT_SECONDS} gets the same snapshot; the next one after it, a new one.
        """
        clock, reads = Clock(), Reads()
        cache = SnapshotCache(reads, clock.seconds, RENDER)
        first = cache.get()
        for _ in range(100):
            self.assertIs(cache.get(), first)
            clock.advance(SNAPSHOT_SECONDS / 200)
        clock.advance(SNAPSHOT_SECONDS / 2)
        self.assertEqual(cache.get().state, {"n": 2})
        self.assertEqual(reads.count, 2)

    def test_bodyMadeOnce(self):
        """
        Each body of a snapshot is made once, however many requests ask for it.
        """
        made = []
        clock = Clock()
        cache = SnapshotCache(lambda: {"n": 1}, clock.seconds, {"json": lambda s: made.append(s) or b"{}"})
        for _ in range(10):
            cache.get().body("json")
        self.assertEqual(len(made), 1)

    def test_gatheringShared(self):
        """
        Readers that come while a snapshot is being gathered wait for that one: it is asked for once.
        """
        clock, reads = Clock(), Reads(later=True)
        cache = SnapshotCache(reads, clock.seconds, RENDER)
        waiting = [cache.get() for _ in range(5)]
        self.assertEqual(reads.count, 1)
        reads.pending[0].callback({"n": 1})
        shown = [self.successResultOf(d) for d in waiting]
        self.assertEqual({id(s) for s in shown}, {id(shown[0])})
        self.assertIs(cache.get(), shown[0])

    def test_failureToEveryone(self):
        """
        A gathering that fails fails every reader waiting for it, and the next read asks again.
        """
        clock, reads = Clock(), Reads(later=True)
        cache = SnapshotCache(reads, clock.seconds, RENDER)
        waiting = [cache.get() for _ in range(3)]
        reads.pending[0].errback(ValueError("no"))
        for d in waiting:
            self.failureResultOf(d, ValueError)
        cache.get()
        self.assertEqual(reads.count, 2)
