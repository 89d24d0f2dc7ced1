# -*- test-case-name: tests.test_workers_supervisor,tests.test_workers_commands -*-
"""
One worker process as the main process sees it (L{WorkerProcess}: its
number, pid, clients, silence, exit), the main process's end of its AMP
connection (L{MainControl}: what the worker tells it), and how it is
started (L{launch}).
"""

import json
import os
import signal
import socket

from twisted.internet import defer, error
from twisted.internet.protocol import Factory, ProcessProtocol
from twisted.logger import Logger

from ..logs.console import flushAll
from .child import CONTROL_FD, FIRST_LISTENING_FD, OPERATOR_SIGNALS
from .commands import Admit, Claim, Goodbye, Left, Load, QuietAMP, Ready, Unclaim
from .logs import Relay

log = Logger(namespace="tpreactor")


class MainControl(QuietAMP):
    """
    The main process's end of one worker's AMP connection: what the worker
    tells it.

    @ivar worker: the L{WorkerProcess}.
    @ivar gate: the L{tpreactor.workers.admission.Gate}, or C{None}.
    @ivar claims: the whole server's L{tpreactor.proxy.Claims}, or C{None}.
    @ivar tally: the L{tpreactor.workers.counters.Tally}, or C{None}.
    """

    def __init__(self, worker, gate, claims=None, tally=None):
        QuietAMP.__init__(self)
        self.worker = worker
        self.gate = gate
        self.claims = claims
        self.tally = tally

    @Ready.responder
    def ready(self, pid):
        self.worker.ready = True
        if self.worker.clock is not None:  # it runs: from now on, the timeout
            self.worker.heard = self.worker.clock.seconds()
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

    @Claim.responder
    def claim(self, peer):
        return {"free": self.claims is None or self.claims.claim(peer, self.worker.number)}

    @Unclaim.responder
    def unclaim(self, peer):
        if self.claims is not None:
            self.claims.release(peer, self.worker.number)
        return {}

    @Goodbye.responder
    def goodbye(self, counters):
        if self.tally is not None:
            self.tally.saw(self.worker, json.loads(counters))
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
    @ivar heard: when it last answered a heartbeat or said it is ready
        (C{None}: not yet), on C{clock}.
    @ivar ready: whether it said it accepts.
    @ivar killed: why the main process killed it (C{None}: it did not).
    @ivar catalogue: the texts of the server's language.
    """

    heard = None
    ready = False
    killed = None
    asking = False
    cause = ""

    def __init__(self, number, onEnded, gate, started, catalogue, lines=False, out=None, claims=None, tally=None,
                 clock=None):
        self.number = number
        self.clock = clock
        self.catalogue = catalogue
        self.pid = None
        self.clients = 0
        self.control = MainControl(self, gate, claims, tally)
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
        The lines this process holds are written first: a worker writes its
        own straight to the same output, and what it says in answer comes
        after what was said before it was asked.
        """
        flushAll()
        return defer.maybeDeferred(self.control.callRemote, command, **kwargs)

    def silence(self, now):
        """
        For how long it has not answered (since it started, if it never did).
        """
        return now - (self.started if self.heard is None else self.heard)

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


def launch(worker, reactor, executable, describe, listeningSockets, counts, direct):
    """
    Start C{worker}'s process: its AMP connection on descriptor 3, the
    listening sockets (C{listeningSockets()}) from descriptor 4 on, then the
    memory of the turns (C{counts}, or C{None}), its console lines on its
    standard output (ours when C{direct}, else a pipe to us: see L{Relay}),
    our standard error; its configuration is C{describe(families)} of the
    sockets. Whatever it opened is closed if it fails.

    @raise Exception: what kept it from starting (an L{OSError} mostly).
    """
    opened = []
    try:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        opened += [ours, theirs]
        devnull = os.open(os.devnull, os.O_RDONLY)
        opened.append(devnull)
        sockets = listeningSockets()
        # Our end first: once the worker runs, nothing is left to fail.
        reactor.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, Factory.forProtocol(lambda: worker.control))
        # Its lines go to our standard output itself, or through us (see Relay).
        childFDs = {0: devnull, 1: 1 if direct else "r", 2: 2, CONTROL_FD: theirs.fileno()}
        for i, sock in enumerate(sockets):
            childFDs[FIRST_LISTENING_FD + i] = sock.fileno()
        if counts is not None:
            childFDs[FIRST_LISTENING_FD + len(sockets)] = counts
        args = [executable, "-m", "tpreactor.workers.child", describe([sock.family for sock in sockets])]
        # The worker ignores these once it runs; until then (its imports take
        # a while) it is born with them blocked, so that a Ctrl+C meanwhile
        # does not kill it.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, OPERATOR_SIGNALS)
        try:
            transport = reactor.spawnProcess(worker, executable, args, env=os.environ, childFDs=childFDs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    except BaseException:
        if worker.control.transport is not None:
            worker.control.transport.abortConnection()
        raise
    finally:
        for thing in opened:
            if isinstance(thing, int):
                os.close(thing)
            else:
                thing.close()
    worker.pid = transport.pid
