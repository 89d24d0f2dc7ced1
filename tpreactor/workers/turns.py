# -*- test-case-name: tests.test_workers_turns -*-
"""
A burst of connections taken in turns: every worker counts its accepts in
memory the main process shares with all of them, and during a burst none
runs more than a few dozen connections ahead of the others.

The kernel wakes an idle worker per connection (C{EPOLLEXCLUSIVE}), but a
burst that is already queued wakes nobody: the workers take it as fast as
each gets the CPU, and on a machine that is busy (other programs, the load
generator itself) one of them gets less for a few milliseconds, which is
the whole burst (it split 144/56 and worse). So a worker that is ahead
(in accepts, all counted: what it took before the burst was seen too)
stops accepting for a millisecond while the others catch up, unless they
do not accept at all (busy with their clients, stopped, gone): it does not
wait more than a few milliseconds for a worker that does not move.
"""

import mmap
import os
import time

from ..accepting import AHEAD
from ..listening import queuedConnections

SECONDS = 1.0
#: Bytes per worker in the shared memory: its count of accepts.
SLOT_BYTES = 8
#: How far ahead of the slowest other worker one may run in a burst.
LEAD = 16
#: A burst: more connections queued, when a loop took all it could, than
#: this many more loops take (Linux says how many, for TCP; elsewhere
#: nobody takes turns). A burst that arrives no faster than it is taken
#: never queues much deeper, yet one worker short of CPU for a few
#: milliseconds would lose it; the ordinary traffic of a busy server rarely
#: queues this deep, and a worker ahead there waits only while the others
#: take connections.
BURST_LOOPS = 1
#: How long a worker ahead stops accepting before it looks again.
PAUSE_SECONDS = 0.001 * SECONDS
#: A worker that has not accepted for this long is not waited for.
STALL_SECONDS = 0.02 * SECONDS


def sharedCounts(count):
    """
    In the main process: the memory of C{count} workers' counts, as a
    descriptor to hand each worker, or C{None} where it cannot be made
    (no C{memfd_create}, no descriptor left): then nobody takes turns.
    """
    create = getattr(os, "memfd_create", None)
    if create is None:
        return None
    try:
        fd = create("tpreactor-accepts")
    except OSError:
        return None
    try:
        os.ftruncate(fd, SLOT_BYTES * (count + 1))
    except OSError:
        os.close(fd)
        return None
    return fd


def attach(fd, count):
    """
    In a worker: the counts of C{count} workers (index: the worker's
    number) in the shared memory of C{fd}, which is closed.
    """
    try:
        memory = mmap.mmap(fd, SLOT_BYTES * (count + 1))
    finally:
        os.close(fd)
    return memoryview(memory).cast("Q")


class Turns:
    """
    One worker's side of the turns: L{tpreactor.accepting.Accepting} asks
    L{mayAccept} before each accept loop and tells L{took} after it.

    @ivar counts: every worker's count of accepts (shared), by number.
    @ivar number: this worker's number.
    @ivar accepting: the worker's L{tpreactor.accepting.Accepting}, paused
        for L{AHEAD} while this worker waits.
    """

    def __init__(self, counts, number, count, reactor, accepting, monotonic=time.monotonic,
                 queued=queuedConnections):
        self.counts = counts
        self.number = number
        self.others = [n for n in range(1, count + 1) if n != number]
        self.queued = queued
        self.reactor = reactor
        self.accepting = accepting
        self.monotonic = monotonic
        self._bursting = False
        self._slowest = None
        self._moved = 0.0
        self._waiting = None

    def took(self, accepted, most, port):
        """
        An accept loop on C{port} took C{accepted} connections, of at most
        C{most}: one that took fewer emptied the queue (a burst is over);
        one that took all it could, with more than L{BURST_LOOPS} loops of
        every worker still queued, is in a burst.
        """
        self.counts[self.number] += accepted
        if accepted < most:
            self._bursting = False
        elif not self._bursting and (self.queued(port) or 0) > BURST_LOOPS * most:
            self._bursting = True
            self._slowest, self._moved = None, self.monotonic()

    def mayAccept(self):
        """
        Whether this worker may accept now; if not, it stops accepting for
        L{PAUSE_SECONDS}. In a burst, one more than L{LEAD} accepts ahead of
        the slowest other worker waits for it, unless that one has not
        accepted for L{STALL_SECONDS}. The counts are the workers' whole
        ones (a worker's number keeps its count when it is replaced), so
        whatever one took before the burst was seen counts too.
        """
        if not self._bursting or not self.others:
            return True
        counts = self.counts
        slowest = min(counts[n] for n in self.others)
        now = self.monotonic()
        if slowest != self._slowest:
            self._slowest, self._moved = slowest, now
        if counts[self.number] - slowest <= LEAD or now - self._moved >= STALL_SECONDS:
            return True
        if self._waiting is None:
            self.accepting.pause(AHEAD)
            self._waiting = self.reactor.callLater(PAUSE_SECONDS, self._resume)
        return False

    def _resume(self):
        self._waiting = None
        self.accepting.resume(AHEAD)
