# -*- test-case-name: tests.test_work -*-
"""
The simulated work a message costs (C{--work}, C{--work-kind}), and the
executors of the serial and reactor modes: inline in the reactor thread,
or batched onto a thread pool with C{deferToThreadPool}.
"""

import threading
import time

from twisted.application.service import Service
from twisted.internet import defer, threads
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from zope.interface import implementer

from .batching import MAX_BATCH, BatchingExecutor, describeFailure, runWork
from .interfaces import IExecutor

log = Logger(namespace="tpreactor")

__all__ = [
    "WORK_KINDS", "SleepWork", "CpuWork", "cpuRate", "InlineExecutor", "ThreadExecutor",
    "BatchingExecutor", "MAX_BATCH", "describeFailure", "runWork", "inDaemonThread",
]

class SleepWork:
    """
    Blocking waiting, like a disk or a database: threads overlap it.
    """

    kind = "sleep"

    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self, text):
        if self.seconds > 0:
            time.sleep(self.seconds)


def _spin(iterations):
    total = 0
    for i in range(iterations):
        total += i * i
    return total


_rate = None


def cpuRate():
    """
    Iterations of the CPU work loop per second of CPU time on this machine,
    measured once. CPU time, not wall time: a busy machine at start-up must
    not make every message's work smaller.
    """
    global _rate
    if _rate is None:
        iterations = 10_000
        while True:
            before = time.thread_time()
            _spin(iterations)
            spent = time.thread_time() - before
            if spent >= 0.05:
                break
            iterations *= 2
        _rate = iterations / spent
    return _rate


class CpuWork:
    """
    Pure-Python computation of about C{seconds} of CPU: threads in CPython
    cannot run it side by side (the GIL), processes can.
    """

    kind = "cpu"

    def __init__(self, seconds):
        self.seconds = seconds
        self.iterations = int(cpuRate() * seconds) if seconds > 0 else 0

    def __call__(self, text):
        if self.iterations:
            _spin(self.iterations)


WORK_KINDS = {SleepWork.kind: SleepWork, CpuWork.kind: CpuWork}


@implementer(IExecutor)
class InlineExecutor:
    """
    Runs the work in the reactor thread: the serial mode's blocking work, and
    every mode when there is no work to hand to anyone.
    """

    inline = True
    #: Nothing runs outside a call to L{runInline} or L{ready}.
    idle = True

    def __init__(self, work):
        self._work = work
        #: No work to do at all: the protocol may answer without asking.
        self.trivial = getattr(work, "seconds", None) == 0

    def runInline(self, text):
        if self.trivial:
            return None
        return runWork(self._work, (text,))[0]

    def ready(self, protocol):
        """
        Sessions run inline work with L{runInline}; one that asks anyway has
        a batch run here and now.
        """
        protocol.batchDone(runWork(self._work, protocol.takeBatch(MAX_BATCH)))

    def abandon(self):
        """
        Nothing runs behind the reactor's back: nothing to give up.
        """

    def load(self):
        """
        The reactor thread is the one slot, and it is free whenever asked.
        """
        return {"kind": "inline", "size": 1, "busy": 0, "queued": 0}


def inDaemonThread(reactor, blocking, name):
    """
    Run C{blocking} in a thread of its own that does not keep the process
    alive, and fire the returned Deferred in the reactor thread when it ends.

    For joining a pool whose work may outlast the shutdown: the reactor's own
    thread pool is joined when the reactor stops, so a join running there
    would hold the exit for as long as the work.
    """
    done = defer.Deferred()

    def run():
        try:
            blocking()
        except BaseException:
            reactor.callFromThread(done.errback, Failure())
        else:
            reactor.callFromThread(done.callback, None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return done


class _DaemonThreadPool(ThreadPool):
    """
    A thread pool whose threads do not keep the process alive: work that
    outlasts a graceful shutdown is abandoned, not waited for at exit.
    """

    def threadFactory(self, *args, **kwargs):
        return threading.Thread(*args, daemon=True, **kwargs)


class ThreadExecutor(BatchingExecutor):
    """
    The reactor mode's pool: C{threads} worker threads, started and stopped
    with the service.

    A chunk is one call in the pool (C{deferToThreadPool}, a Deferred that
    fires once the chunk is done and frees its slot): its thread works
    through the chunk's parts one after the other, and hands each part's
    outcomes back as soon as it is done (L{_finished}). The reactor is
    woken once for however many parts finish, in any thread, before it
    gets to them, and delivers them all in that one turn.
    """

    kind = "threads"

    def __init__(self, reactor, work, threads):
        BatchingExecutor.__init__(self, reactor, work, threads)
        self.pool = _DaemonThreadPool(minthreads=0, maxthreads=threads, name="tpreactor-work")
        # Parts done in the pool and not yet delivered, and whether the
        # reactor has been asked to deliver them (both under the lock).
        self._lock = threading.Lock()
        self._done = []
        self._deliveryAsked = False

    def startService(self):
        Service.startService(self)
        self.pool.start()

    def stopService(self):
        """
        Stop the pool. Its threads are joined in another thread: work cut
        short by the grace period may still be running, and the reactor must
        not wait for it (the server bounds the wait, see L{abandon}).
        """
        Service.stopService(self)
        return inDaemonThread(self.reactor, self.pool.stop, "tpreactor-work-stop")

    def abandon(self):
        """
        The work still running will not be waited for. Threads cannot be
        stopped from outside; they are daemon threads, so the process exits
        without them.
        """

    def _submit(self, chunk):
        parts = list(self._parts(chunk))
        progress = [0]  # parts handed back by the thread
        d = threads.deferToThreadPool(self.reactor, self.pool, self._runParts, parts, progress)

        def failed(failure):  # the pool refused the chunk, or it broke off
            self._deliverDone()  # what was handed back goes first
            cause = describeFailure(failure.value)
            for part in parts[progress[0]:]:
                self._deliver([(protocol, [cause] * len(texts)) for protocol, texts in part])

        d.addErrback(failed)
        d.addCallback(lambda _: self._chunkDone())
        d.addErrback(lambda failure: log.failure("Delivering the replies of a batch", failure))

    def _runParts(self, parts, progress):
        """
        In a thread of the pool: the work for each part, one after the
        other, each handed back when done.
        """
        work = self.work
        for part in parts:
            # A connection that ended meanwhile (cut, reset) needs no work
            # done. Read from this thread, the state may be a moment old:
            # a connection that ends just after is not answered anyway.
            results = [(protocol, runWork(work, texts)) for protocol, texts in part if not protocol.finished]
            if results:
                self._finished(results)
            progress[0] += 1

    def _finished(self, results):
        """
        In a thread of the pool: hand C{results} back, waking the reactor
        unless it has been asked already and has not got to them yet.
        """
        with self._lock:
            self._done.append(results)
            if self._deliveryAsked:
                return
            self._deliveryAsked = True
        self.reactor.callFromThread(self._deliverDone)

    def _deliverDone(self):
        """
        In the reactor thread: deliver every part handed back so far.
        """
        with self._lock:
            done, self._done = self._done, []
            self._deliveryAsked = False
        for results in done:
            self._deliver(results)
