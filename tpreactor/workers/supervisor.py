# -*- test-case-name: tests.test_workers_supervisor -*-
"""
The main process's workers: started on the listening sockets, told over AMP
what the operator asks, replaced when one dies (never while the server
stops), waited for at the end; the server's exit status is the worst of
theirs.
"""

import os
import signal
import socket
import sys

from twisted.internet import defer, error
from twisted.internet.protocol import Factory, ProcessProtocol
from twisted.logger import Logger

from .child import CONTROL_FD, FIRST_LISTENING_FD, OPERATOR_SIGNALS
from .commands import Admit, Left, Load, QuietAMP, Ready
from .logs import Relay

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: A worker that dies sooner than this after it started is replaced only
#: after as long again, so a worker that cannot start does not spin.
RESTART_DELAY_SECONDS = 1.0 * SECONDS


class MainControl(QuietAMP):
    """
    The main process's end of one worker's AMP connection: what the worker
    tells it.
    """

    def __init__(self, worker, gate):
        QuietAMP.__init__(self)
        self.worker = worker
        self.gate = gate

    @Ready.responder
    def ready(self, pid):
        log.info(self.worker.catalogue.workerReady, worker=self.worker.number, pid=pid)
        return {}

    @Load.responder
    def load(self, clients):
        self.worker.clients = clients
        return {}

    @Admit.responder
    def admit(self, host):
        return {"admitted": self.gate is not None and self.gate.admit(self.worker.number, host)}

    @Left.responder
    def left(self, host):
        if self.gate is not None:
            self.gate.left(self.worker.number, host)
        return {}


class WorkerProcess(ProcessProtocol):
    """
    One worker process, as the main process sees it.

    @ivar number: its number (what its console lines begin with).
    @ivar pid: its process id.
    @ivar clients: how many clients it last said it had.
    @ivar control: the L{MainControl} of its AMP connection.
    @ivar ended: a Deferred that fires with its exit status once it exited.
    @ivar started: when it started, on the reactor's clock.
    @ivar catalogue: the texts of the server's language.
    """

    def __init__(self, number, onEnded, gate, started, catalogue, lines=False, out=None):
        self.number = number
        self.catalogue = catalogue
        self.pid = None
        self.clients = 0
        self.control = MainControl(self, gate)
        self.ended = defer.Deferred()
        self.started = started
        self.exitStatus = None
        self._onEnded = onEnded
        self._relay = Relay(lines, out)

    def childDataReceived(self, childFD, data):
        # Its standard output: its console lines, for our log.
        self._relay.received(data)

    def callRemote(self, command, **kwargs):
        """
        C{command} to this worker; a worker that is gone answers with a failure.
        """
        return defer.maybeDeferred(self.control.callRemote, command, **kwargs)

    def processEnded(self, reason):
        self._relay.ended()
        value = reason.value
        if isinstance(value, error.ProcessTerminated):
            self.exitStatus = value.exitCode if value.exitCode is not None else 1
            self.cause = f"signal {value.signal}" if value.signal else f"exit status {value.exitCode}"
        else:
            self.exitStatus = 0
            self.cause = "exit status 0"
        self._onEnded(self)
        self.ended.callback(self.exitStatus)

    cause = ""


class Supervisor:
    """
    Starts the workers, replaces the ones that die, stops them all.

    @ivar workers: the live L{WorkerProcess}es by number.
    @ivar exitStatus: the worst exit status of the workers that ended while
        the server stopped (0 if none failed).
    @ivar replacing: whether a worker that dies is replaced (no longer once
        the server stops or stops listening).
    """

    def __init__(self, reactor, count, describe, listeningSockets, catalogue, gate=None,
                 executable=sys.executable, lines=False, out=None, direct=False):
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
        self.workers = {}
        self.exitStatus = 0
        self.replacing = True

    def startAll(self):
        for number in range(1, self.count + 1):
            self.start(number)

    def start(self, number):
        """
        Start worker C{number}: its AMP connection on descriptor 3, the
        listening sockets from descriptor 4 on, its console lines on its
        standard output (ours when C{direct}, else a pipe to us: see
        L{Relay}), our standard error.
        """
        worker = WorkerProcess(number, self._ended, self.gate, self.reactor.seconds(), self.catalogue, self.lines,
                               self.out)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        devnull = os.open(os.devnull, os.O_RDONLY)
        sockets = self._listeningSockets()
        # Its lines go to our standard output itself, or through us (see Relay).
        childFDs = {0: devnull, 1: 1 if self.direct else "r", 2: 2, CONTROL_FD: theirs.fileno()}
        for i, sock in enumerate(sockets):
            childFDs[FIRST_LISTENING_FD + i] = sock.fileno()
        args = [self.executable, "-m", "tpreactor.workers.child",
                self._describe(number, [sock.family for sock in sockets])]
        # The worker ignores these once it runs; until then (its imports take
        # a while) it is born with them blocked, so that a Ctrl+C meanwhile
        # does not kill it.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, OPERATOR_SIGNALS)
        try:
            transport = self.reactor.spawnProcess(worker, self.executable, args, env=os.environ, childFDs=childFDs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            theirs.close()
            os.close(devnull)
        worker.pid = transport.pid
        self.reactor.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, Factory.forProtocol(lambda: worker.control))
        ours.close()
        self.workers[number] = worker
        return worker

    def _ended(self, worker):
        if self.workers.get(worker.number) is worker:
            del self.workers[worker.number]
        if self.gate is not None:
            self.gate.workerGone(worker.number)
        if not self.replacing:
            self.exitStatus = max(self.exitStatus, worker.exitStatus)
            return
        log.warn(self.catalogue.workerDied, worker=worker.number, pid=worker.pid, cause=worker.cause,
                 clients=worker.clients)
        quick = self.reactor.seconds() - worker.started < RESTART_DELAY_SECONDS
        self.reactor.callLater(RESTART_DELAY_SECONDS if quick else 0, self._replace, worker.number)

    def _replace(self, number):
        if self.replacing and number not in self.workers:
            self.start(number)

    def tell(self, command, **kwargs):
        """
        C{command} to every live worker: a Deferred that fires with the list
        of C{(number, answer)} in the order of their numbers (the answer is
        C{None} for a worker that ended meanwhile).
        """
        numbers = sorted(self.workers)
        ds = [self.workers[n].callRemote(command, **kwargs).addErrback(lambda _: None) for n in numbers]
        return defer.gatherResults(ds).addCallback(lambda answers: list(zip(numbers, answers)))

    def stopAll(self, command, seconds):
        """
        Tell every worker C{command} (the graceful stop) and wait, at most
        C{seconds}, for all of them to exit; the ones still there are killed
        and count as failed.
        """
        self.replacing = False
        workers = list(self.workers.values())
        for worker in workers:
            worker.callRemote(command).addErrback(lambda _: None)
        ended = defer.DeferredList([w.ended for w in workers])
        timer = self.reactor.callLater(seconds, self._killLate, workers)
        ended.addCallback(lambda _: timer.cancel() if timer.active() else None)
        return ended

    def _killLate(self, workers):
        for worker in workers:
            if not worker.ended.called:
                self.exitStatus = max(self.exitStatus, 1)
                self._kill(worker.pid)

    def killAll(self):
        """
        Option 3: every worker, and what they started, ends at once.
        """
        from ..shutdown import descendants

        self.replacing = False
        for pid in descendants(os.getpid()):
            self._kill(pid)

    def _kill(self, pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
