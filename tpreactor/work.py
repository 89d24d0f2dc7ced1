# -*- test-case-name: tests.test_work -*-
"""
The simulated work a message costs (C{--work}, C{--work-kind}), and the
executors that run it: inline in the reactor thread, or batched onto a
thread pool without paying a thread hop per message.
"""

import math
import threading
import time
from collections import deque

from twisted.application.service import Service
from twisted.internet import defer
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

SECONDS = 1.0
#: A worker thread hands finished replies back at least this often, so a
#: batch of slow messages does not hold back the replies already done.
DELIVER_SECONDS = 0.002 * SECONDS
#: Aim for batches of about this much work per connection and round.
BATCH_SECONDS = 0.005 * SECONDS
MAX_BATCH = 64
#: A chunk handed to one thread carries at least this much work: a thread
#: hop costs about 0.1 ms of server CPU, so shorter work goes several
#: messages to a hop.
CHUNK_SECONDS = 0.001 * SECONDS


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


def describeFailure(exc):
    """
    One line for the log: the exception's type and message.
    """
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def runWork(work, texts):
    """
    Run C{work} for each text; the outcome of each is C{None} or a failure's
    description (a failure never escapes: the client gets an error line).
    """
    outcomes = []
    for text in texts:
        try:
            work(text)
        except Exception as exc:
            outcomes.append(describeFailure(exc))
        else:
            outcomes.append(None)
    return outcomes


class InlineExecutor:
    """
    Runs the work in the reactor thread: the serial mode's blocking work, and
    every mode when there is no work to hand to anyone.
    """

    inline = True

    def __init__(self, work):
        self._work = work
        #: No work to do at all: the protocol may answer without asking.
        self.trivial = getattr(work, "seconds", None) == 0

    def runInline(self, text):
        if self.trivial:
            return None
        return runWork(self._work, (text,))[0]


class BatchingExecutor(Service):
    """
    Hands messages to a pool in batches, a round per reactor iteration.

    A connection with messages waiting registers with L{ready} and has at
    most one batch in flight, so its replies stay in order. Each round takes
    the ready connections, a batch from each, and splits them over the free
    slots of the pool; at most C{slots} rounds are in flight, so messages wait
    in their connection, not in an unbounded queue of the pool.

    Subclasses implement L{_submit} for their kind of pool.
    """

    inline = False
    trivial = False

    def __init__(self, reactor, work, slots):
        self.reactor = reactor
        self.work = work
        self.slots = slots
        seconds = getattr(work, "seconds", 0) or 0
        self.batchSize = max(1, min(MAX_BATCH, int(BATCH_SECONDS / seconds))) if seconds else MAX_BATCH
        # Work of unknown length is assumed long: one message per hop.
        self.chunkSize = max(1, int(CHUNK_SECONDS / seconds)) if seconds else 1
        self._ready = deque()
        self._inFlight = 0
        self._roundCall = None

    def ready(self, protocol):
        self._ready.append(protocol)
        if self._roundCall is None and self._inFlight < self.slots:
            if self.batchSize == 1:
                # Long work: waiting for the end of the reactor iteration to
                # batch gains nothing next to it; start the message now.
                self._round()
            else:
                self._roundCall = self.reactor.callLater(0, self._round)

    def _round(self):
        self._roundCall = None
        ready = self._ready
        # Spread over the free slots, but never more than an even share of
        # all of them: a slot that frees up while the others are busy must
        # not take every connection waiting (and keep them in one queue).
        share = max(self.chunkSize, math.ceil(len(ready) / self.slots))
        while ready and self._inFlight < self.slots:
            size = min(share, max(self.chunkSize, math.ceil(len(ready) / (self.slots - self._inFlight))))
            chunk = []
            while ready and len(chunk) < size:
                protocol = ready.popleft()
                texts = protocol.takeBatch(self.batchSize)
                if texts:
                    chunk.append((protocol, texts))
            if chunk:
                self._inFlight += 1
                self._submit(chunk)

    def _deliver(self, results, final):
        """
        In the reactor thread: replies for C{results}, pairs of a protocol
        and its outcomes; C{final} when the whole chunk is done.
        """
        for protocol, outcomes in results:
            protocol.batchDone(outcomes)
        if final:
            self._inFlight -= 1
            if self._ready and self._roundCall is None:
                self._round()

    def _submit(self, chunk):
        raise NotImplementedError()

    @property
    def idle(self):
        return self._inFlight == 0 and not self._ready


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
    """

    def __init__(self, reactor, work, threads):
        BatchingExecutor.__init__(self, reactor, work, threads)
        self.pool = _DaemonThreadPool(minthreads=0, maxthreads=threads, name="tpreactor-work")

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
        self.pool.callInThread(self._runChunk, chunk)

    def _runChunk(self, chunk):
        work = self.work
        clock = time.perf_counter
        callFromThread = self.reactor.callFromThread
        last = len(chunk) - 1
        done = []
        since = clock()
        for index, (protocol, texts) in enumerate(chunk):
            done.append((protocol, runWork(work, texts)))
            if index < last and clock() - since >= DELIVER_SECONDS:
                callFromThread(self._deliver, done, False)
                done = []
                since = clock()
        callFromThread(self._deliver, done, True)
