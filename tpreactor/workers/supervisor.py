# -*- test-case-name: tests.test_workers_supervisor -*-
"""
The main process's workers: started on the listening sockets, asked every
second whether they are there (and what they counted), told over AMP what
the operator asks, replaced when one dies or stops answering (never while
the server stops), waited for at the end; the server's exit status is the
worst of theirs. A worker that cannot be started is tried again, for ever,
a little later each time.
"""

import errno
import os
import signal
import sys
from typing import NamedTuple

from twisted.internet import defer
from twisted.logger import Logger

from ..endpoints import describeOSError
from ..messages import counted
from ..proxy import Claims
from .counters import Tally
from .liveness import DEFAULT_TIMEOUT_SECONDS, HEARTBEAT_SECONDS, SILENT_SECONDS, STARTING_SECONDS, Liveness
from .process import WorkerProcess, launch
from .turns import sharedCounts

log = Logger(namespace="tpreactor")

__all__ = ["ANSWER_SECONDS", "DEFAULT_TIMEOUT_SECONDS", "HEARTBEAT_SECONDS", "SILENT_SECONDS", "STARTING_SECONDS",
           "Answers", "Supervisor"]

SECONDS = 1.0
#: How long the console's and the status endpoint's questions wait for each
#: worker before they answer with what the others said.
ANSWER_SECONDS = 1.0 * SECONDS
#: A worker that cannot be started, or that dies sooner than
#: L{STEADY_SECONDS} after it started, is tried again after a wait that
#: starts at L{FIRST_RETRY_SECONDS} and doubles up to L{LAST_RETRY_SECONDS}...
FIRST_RETRY_SECONDS = 1.0 * SECONDS
LAST_RETRY_SECONDS = 30.0 * SECONDS
#: ...and that is forgotten once a worker of that number has run this long.
STEADY_SECONDS = 10.0 * SECONDS


class Answers(NamedTuple):
    """
    What the live workers answered a question of the operator's.

    @ivar answered: C{(number, answer)} of each worker that answered in time.
    @ivar silent: C{(number, pid)} of each worker that did not.
    """

    answered: list
    silent: list


#: Why the main process kills a worker that did not finish its stop in time
#: (one that stopped answering: L{tpreactor.workers.liveness.SILENT}).
LATE = "late"


class Supervisor:
    """
    Starts the workers, hears from them every second (its L{Liveness}),
    replaces the ones that die or stop answering, stops them all.

    @ivar workers: the live L{WorkerProcess}es by number.
    @ivar liveness: the heartbeat, which kills a worker silent too long.
    @ivar exitStatus: the worst exit status of the workers that ended while
        the server stopped (0 if none failed).
    @ivar replacing: whether a worker that dies is replaced (no longer once
        the server stops or stops listening).
    @ivar claims: the clients that PROXY headers claimed, in every worker.
    @ivar tally: what every worker counted (L{tpreactor.workers.counters}).
    @ivar kill: kills a process at once, given its pid (SIGKILL).
    """

    def __init__(self, reactor, count, describe, listeningSockets, catalogue, gate=None,
                 executable=sys.executable, lines=False, out=None, direct=False,
                 timeout=DEFAULT_TIMEOUT_SECONDS, kill=None):
        self.reactor = reactor
        self.count = count
        self._describe = describe
        self._listeningSockets = listeningSockets
        self.catalogue = catalogue
        self.gate = gate
        self.executable = executable
        self.lines = lines
        self.out = out
        self.direct = direct
        self.kill = kill or _kill
        self.workers = {}
        self.exitStatus = 0
        self.replacing = True
        self.claims = Claims()
        self.tally = Tally()
        self._retries = {}
        self._waits = {}
        self.liveness = Liveness(self, reactor, timeout)
        #: The memory the workers count their accepts in, to take a burst
        #: in turns (L{tpreactor.workers.turns}); C{None} until made, or
        #: where it cannot be.
        self._counts = None

    def startAll(self):
        if self._counts is None:
            self._counts = sharedCounts(self.count)
        for number in range(1, self.count + 1):
            self.start(number)
        self.liveness.start()

    # -- starting ------------------------------------------------------------------------

    def start(self, number):
        """
        Start worker C{number}, or say why it cannot be and try again later.

        @return: the L{WorkerProcess}, or C{None} if it could not be started.
        """
        try:
            worker = self.spawn(number)
        except Exception as e:  # no descriptors, no memory, fork refused: try again
            delay = self._nextWait(number)
            log.warn(self.catalogue.workerNotStarted, worker=number, reason=_why(e, self.catalogue.lang),
                     seconds=delay)
            self._later(number, delay)
            return None
        self.workers[number] = worker
        return worker

    def spawn(self, number):
        """
        Start worker C{number}: its AMP connection on descriptor 3, the
        listening sockets from descriptor 4 on, then the memory of the
        turns, its console lines on its standard output (ours when
        C{direct}, else a pipe to us: see L{Relay}), our standard error.
        Whatever it opened is closed if it fails.

        @raise Exception: what kept it from starting (an L{OSError} mostly).
        """
        worker = WorkerProcess(number, self._ended, self.gate, self.reactor.seconds(), self.catalogue, self.lines,
                               self.out, self.claims, self.tally, self.reactor)
        counts = self._counts

        def describe(families):
            return self._describe(number, families, turns=counts is not None)

        launch(worker, self.reactor, self.executable, describe, self._listeningSockets, counts, self.direct)
        return worker

    def _nextWait(self, number):
        """
        How long to wait before trying worker C{number} again: each wait in a
        row twice the one before, up to L{LAST_RETRY_SECONDS}.
        """
        wait = self._retries.get(number, FIRST_RETRY_SECONDS)
        self._retries[number] = min(wait * 2, LAST_RETRY_SECONDS)
        return wait

    def _later(self, number, delay):
        self._waits[number] = self.reactor.callLater(delay, self._replace, number)

    def _replace(self, number):
        self._waits.pop(number, None)
        if self.replacing and number not in self.workers:
            self.start(number)

    def _ended(self, worker):
        if self.workers.get(worker.number) is worker:
            del self.workers[worker.number]
        if self.gate is not None:
            self.gate.workerGone(worker.number)
        self.claims.releaseAll(worker.number)
        self.tally.gone(worker)
        if not self.replacing:
            self.exitStatus = max(self.exitStatus, worker.exitStatus)
            return
        ran = self.reactor.seconds() - worker.started
        if ran >= STEADY_SECONDS:
            self._retries.pop(worker.number, None)
            delay = 0
        else:
            delay = self._nextWait(worker.number)
        if worker.killed is None:
            t = self.catalogue
            if delay:
                log.warn(t.workerDiedSoon, worker=worker.number, pid=worker.pid, cause=worker.cause,
                         clients=counted(t, t.clientsCount, worker.clients), ran=round(ran, 1), seconds=delay)
            else:
                log.warn(t.workerDied, worker=worker.number, pid=worker.pid, cause=worker.cause,
                         clients=counted(t, t.clientsCount, worker.clients))
        self._later(worker.number, delay)

    # -- hearing from them (L{Liveness}) ------------------------------------------------

    timeout = property(lambda self: self.liveness.timeout,
                       lambda self, value: setattr(self.liveness, "timeout", value),
                       doc="How long a worker may go without answering before it is killed (0: never).")

    def serving(self):
        """
        Whether any worker accepts and answers: the server serves.
        """
        return self.liveness.serving()

    # -- telling them --------------------------------------------------------------------

    def tell(self, command, **kwargs):
        """
        C{command} to every live worker: a Deferred that fires with the list
        of C{(number, answer)} in the order of their numbers (the answer is
        C{None} for a worker that ended meanwhile).
        """
        numbers = sorted(self.workers)
        ds = [self.workers[n].callRemote(command, **kwargs).addErrback(lambda _: None) for n in numbers]
        return defer.gatherResults(ds).addCallback(lambda answers: list(zip(numbers, answers)))

    def ask(self, command, seconds=ANSWER_SECONDS, **kwargs):
        """
        C{command} to every live worker, for an answer within C{seconds}: a
        Deferred that fires with the L{Answers} (a worker that ended
        meanwhile is in neither list).
        """
        workers = [self.workers[n] for n in sorted(self.workers)]
        asked = [w.callRemote(command, **kwargs).addTimeout(seconds, self.reactor) for w in workers]

        def answered(results):
            answers = Answers([], [])
            for worker, (ok, value) in zip(workers, results):
                if ok:
                    answers.answered.append((worker.number, value))
                elif value.check(defer.TimeoutError):
                    answers.silent.append((worker.number, worker.pid))
            return answers

        return defer.DeferredList(asked, consumeErrors=True).addCallback(answered)

    # -- stopping them -------------------------------------------------------------------

    def _stopHearing(self):
        self.replacing = False
        self.liveness.stop()
        for call in self._waits.values():
            if call.active():
                call.cancel()
        self._waits.clear()

    def stopAll(self, command, seconds):
        """
        Tell every worker C{command} (the graceful stop) and wait, at most
        C{seconds}, for all of them to exit; the ones still there are killed,
        each named on the console, and count as failed.
        """
        self._stopHearing()
        workers = list(self.workers.values())
        for worker in workers:
            worker.callRemote(command).addErrback(lambda _: None)
        ended = defer.DeferredList([w.ended for w in workers])
        timer = self.reactor.callLater(seconds, self._killLate, workers, seconds)
        ended.addCallback(lambda _: timer.cancel() if timer.active() else None)
        return ended

    def _killLate(self, workers, seconds):
        for worker in workers:
            if not worker.ended.called:
                log.warn(self.catalogue.workerKilledLate, worker=worker.number, pid=worker.pid, seconds=seconds)
                worker.killed = LATE
                self.exitStatus = max(self.exitStatus, 1)
                self.kill(worker.pid)

    def killAll(self):
        """
        Option 3: every worker, and what they started, ends at once.
        """
        from ..shutdown.processtree import descendants

        self._stopHearing()
        for pid in descendants(os.getpid()):
            self.kill(pid)



def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:  # gone already
        pass


def _why(exc, lang):
    """
    Why a worker could not be started, in one line: the errno's name and the
    system's words for it.
    """
    if isinstance(exc, OSError) and exc.errno:
        return f"{errno.errorcode.get(exc.errno, exc.errno)}: {describeOSError(exc, lang)}"
    return f"{type(exc).__name__}: {exc}"
