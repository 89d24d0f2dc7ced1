# -*- test-case-name: tests.test_processes -*-
"""
The processes mode's executor: the work runs in a pool of worker processes,
so CPU-bound work uses every core, which threads in CPython cannot do.
"""

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from twisted.application.service import Service
from twisted.internet import defer
from twisted.python.failure import Failure

from .batching import BatchingExecutor, runBatches
from .work import inDaemonThread


#: How often a worker checks that the server is still there.
ORPHAN_CHECK_SECONDS = 0.5


#: The signals a worker leaves to the server.
_SERVERS_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _SpawnedBlocked(multiprocessing.context.SpawnProcess):
    """
    A worker born with the server's signals blocked: a new interpreter takes
    a while to reach L{_startWorker}, and a Ctrl+C meanwhile would kill it
    and break the pool. A blocked signal mask survives fork and exec; the
    pool may start a worker from any thread, whenever it likes.
    """

    def start(self):
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SERVERS_SIGNALS)
        try:
            multiprocessing.context.SpawnProcess.start(self)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class _SpawnContext(multiprocessing.context.SpawnContext):
    """
    The C{spawn} start method (forking a process that already runs threads
    is unsafe), with L{_SpawnedBlocked} workers.
    """

    Process = _SpawnedBlocked


def _startWorker(serverPid):
    """
    In each worker: the terminal's Ctrl+C goes to the whole foreground process
    group, and a service manager's SIGTERM often to the whole group too; both
    are the server's to answer (its graceful shutdown still needs the
    workers), not the workers'. And a worker whose server is gone (killed,
    say) exits instead of waiting forever on a queue nobody writes to.
    """
    for signum in _SERVERS_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    # Born with them blocked (see L{_SpawnedBlocked}); ignored now,
    # whatever came meanwhile is dropped.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SERVERS_SIGNALS)

    def watch():
        while os.getppid() == serverPid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="tpreactor-orphan-watch", daemon=True).start()


def _killWorkers(pool):
    """
    Kill the worker processes of C{pool} outright (they ignore SIGTERM,
    which is also what C{concurrent.futures} sends a broken pool's workers).
    """
    for process in list((pool._processes or {}).values()):
        process.kill()


def deferredFromFuture(reactor, future):
    """
    A Deferred that fires in the reactor thread with the outcome of the
    C{concurrent.futures} C{future} (C{Deferred.fromFuture} takes asyncio's).
    """
    d = defer.Deferred()

    def fire(future):
        try:
            result = future.result()
        except BaseException as exc:  # cancelled, too
            d.errback(Failure(exc))
        else:
            d.callback(result)

    future.add_done_callback(lambda future: reactor.callFromThread(fire, future))
    return d


def _noop():
    return None


class ProcessExecutor(BatchingExecutor):
    """
    Batches go to C{processes} worker processes started with C{spawn}
    (forking a process that already runs threads is unsafe, and a forkserver
    outlives a killed server together with its workers); results come back
    to the reactor thread as Deferreds, one per part of a chunk, each as soon
    as its own work is done.
    """

    kind = "processes"

    def __init__(self, reactor, work, processes):
        BatchingExecutor.__init__(self, reactor, work, processes)
        self.processes = processes
        self.pool = None

    def startService(self):
        Service.startService(self)
        self.pool = self._newPool()

    def _newPool(self):
        """
        A pool whose workers are started now, not on the first message.
        """
        pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=_SpawnContext(),
            initializer=_startWorker,
            initargs=(os.getpid(),),
        )
        for _ in range(self.processes):
            pool.submit(_noop)
        return pool

    def stopService(self):
        Service.stopService(self)
        pool = self.pool
        if pool is None:
            return None
        return inDaemonThread(self.reactor, lambda: pool.shutdown(wait=True), "tpreactor-processes-stop")

    def abandon(self):
        """
        The work still running will not be waited for (the grace period is
        over, or Ctrl+C option 3): the workers are killed, and the pool
        releases its semaphores now. An exit at once skips the interpreter's
        clean-up, so they would otherwise be reported leaked on the
        operator's screen.
        """
        pool, self.pool = self.pool, None
        if pool is None:
            return
        _killWorkers(pool)
        pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, batches):
        try:
            future = self.pool.submit(runBatches, self.work, batches)
        except BrokenProcessPool:
            self._replace(self.pool)
            future = self.pool.submit(runBatches, self.work, batches)
        pool = self.pool

        def failed(failure):
            if failure.check(BrokenProcessPool):
                self._replace(pool)
            return failure

        return deferredFromFuture(self.reactor, future).addErrback(failed)

    def _replace(self, broken):
        """
        A worker died (killed, out of memory): its messages got the error
        line, and a new pool takes the next ones. The other workers of the
        broken pool are killed: they may wait for ever on a lock the dead one
        held, and they ignore the SIGTERM that would end them.
        """
        if broken is not self.pool or not self.running:
            return
        self.pool = self._newPool()
        _killWorkers(broken)
        broken.shutdown(wait=False)
