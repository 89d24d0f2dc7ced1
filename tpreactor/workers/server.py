# -*- test-case-name: tests.test_workers_server -*-
"""
The main process of C{--workers N}: it listens (so the sockets exist once)
but accepts nothing itself, starts the workers that accept on them, and is
the whole server the operator's tools see: L{WorkersServer} is the
L{tpreactor.model.IServerModel} of all its workers, their states merged.
"""

import json
import os

from twisted.application.service import MultiService, Service
from twisted.internet import defer, task
from twisted.internet.protocol import ServerFactory
from twisted.logger import Logger
from zope.interface import implementer

from ..logs.twistd import ObservesApplication
from ..messages import catalogue as catalogueFor
from ..model import Disconnection, IServerModel, ServerState, WorkerRecord
from ..model.merge import mergeStates
from ..model.process import listeningOf
from ..shutdown.graceful import ABORT_AFTER_SECONDS, POOL_STOP_SECONDS
from ..listening import backlogOf
from .commands import CloseListeners, Hurry, Kick, State, Stop, WhenEmpty
from .counters import countersIn

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: Beyond its own bounds (the grace period, the abort, the pool), how long a
#: worker may take to exit before it is killed.
EXIT_MARGIN_SECONDS = 5.0 * SECONDS


class SharedPorts(ServerFactory):
    """
    The factory the main process listens with: the sockets are the
    workers' to accept on, so it builds no protocol; it keeps the ports,
    and the settings and texts the listening services read.
    """

    noisy = False
    pausesPorts = False

    def __init__(self, settings):
        self.settings = settings
        self.catalogue = catalogueFor(settings.lang)
        self.ports = []

    def addPort(self, port):
        self.ports.append(port)

    def removePort(self, port):
        if port in self.ports:
            self.ports.remove(port)

    def buildProtocol(self, addr):
        return None


@implementer(IServerModel)
class WorkersServer(ObservesApplication, MultiService):
    """
    The whole server in the main process: the listening services (whose
    sockets the workers accept on) and the operator's control as children,
    the L{Supervisor} of the workers, and the L{IServerModel} of them all.

    @ivar factory: the L{SharedPorts}.
    @ivar workers: the L{tpreactor.workers.supervisor.Supervisor}.
    @ivar recording: whether the workers record what the state shows of
        their replies (the status endpoint asked: L{startRecording}).
    """

    def __init__(self, factory, listeners, workers, reactor, modeName, holdsClients=False, monotonic=None):
        MultiService.__init__(self)
        self.factory = factory
        self.catalogue = factory.catalogue
        self.listeners = listeners
        self.workers = workers
        self.reactor = reactor
        self.modeName = modeName
        self.holdsClients = holdsClients
        self.monotonic = monotonic or reactor.seconds
        self.started = self.monotonic()
        self.stopping = False
        self.listening = True
        self.recording = False
        self._drained = False
        for listener in listeners:
            listener.setServiceParent(self)

    def privilegedStartService(self):
        MultiService.privilegedStartService(self)
        # Listening, not accepting: the workers do that.
        for listener in self.listeners:
            listener.port.stopReading()

    def startService(self):
        MultiService.startService(self)
        self.reactor.callWhenRunning(self.workers.startAll)

    def listeningSockets(self):
        """
        The listening sockets the workers share, in the order of the
        endpoints.
        """
        return [listener.port.socket for listener in self.listeners if listener.port is not None]

    @property
    def exitStatus(self):
        """
        The worst of the workers' (each is 1 when its stop cut something).
        """
        return self.workers.exitStatus

    @property
    def serving(self):
        """
        Whether it serves new clients: it listens, no stop has begun, and
        some worker accepts and answers.
        """
        return self.listening and not self.stopping and self.workers.serving()

    # -- the model (IServerModel) ------------------------------------------------------

    def state(self):
        """
        The whole server's state: every worker is asked for its own and has
        about a second to answer; the ones that do not are named.
        """
        main = ServerState(
            pid=os.getpid(), mode=self.modeName, holdsClients=self.holdsClients, serving=self.serving,
            listening=listeningOf(self.listeners),
            uptime=round(self.monotonic() - self.started, 3), backlog=backlogOf(self.factory.ports),
            takenAt=self.reactor.seconds(),
        )
        return self.workers.ask(State).addCallback(self._merged, main)

    def _merged(self, answers, main):
        supervisor = self.workers
        answered = []
        for number, answer in answers.answered:
            state = ServerState.fromData(json.loads(answer["state"]))
            answered.append((number, state))
            worker = supervisor.workers.get(number)
            if worker is not None and state.messages is not None:
                supervisor.tally.saw(worker, countersIn(state))
        counters = supervisor.tally.total() if self.recording else None
        return mergeStates(main, answered, self._silent(answers), counters)

    def disconnect(self, peer):
        """
        The worker that has the client written C{peer} closes it.
        """
        d = self.workers.ask(Kick, peer=peer)
        return d.addCallback(lambda answers: Disconnection(
            tuple((a["peer"], n) for n, a in answers.answered if a["peer"]), self._silent(answers)))

    def _silent(self, answers):
        """
        The records of the workers that did not answer, with the clients
        they had when last heard.
        """
        workers = self.workers.workers
        return tuple(WorkerRecord(n, pid, getattr(workers.get(n), "clients", 0), silent=True)
                     for n, pid in answers.silent)

    @defer.inlineCallbacks
    def stopAccepting(self):
        """
        Option 1 in every worker; then our own copies of the sockets close,
        and the kernel resets whoever waited in their queues.

        @return: a Deferred firing with (clients held and closed, connections
            reset in the kernel's queue or C{None} if unknown, clients still
            served).
        """
        if not self.listening:
            return (0, 0, 0)
        self.listening = False
        self.workers.replacing = False
        backlog = backlogOf(s.port for s in self.listeners if s.port is not None)
        answers = yield self.workers.tell(CloseListeners)
        yield self._closeOwn()
        answers = [a for _, a in answers if a is not None]
        return (sum(a["waiting"] for a in answers), backlog, sum(a["served"] for a in answers))

    @defer.inlineCallbacks
    def whenEmpty(self):
        """
        Fires once no worker has a client left, after the workers' last
        lines (their own log, which may come through us) are out.
        """
        yield self.workers.tell(WhenEmpty)
        yield task.deferLater(self.reactor, 0, lambda: None)
        self._drained = True

    def _closeOwn(self):
        return defer.gatherResults([defer.maybeDeferred(s.stopService) for s in self.listeners if s.running])

    def hurry(self):
        """
        Cut every worker's graceful stop short (each says in its exit status
        whether that cut anything).
        """
        self.workers.tell(Hurry)
        return self.stopping

    def endNow(self):
        """
        Option 3: every worker, and what they started, ends at once (a
        worker told to stop would close its clients).
        """
        self.workers.killAll()

    def startRecording(self):
        """
        The workers started from now on record what the state shows.
        """
        self.recording = True

    @defer.inlineCallbacks
    def stopService(self):
        """
        The graceful stop in every worker, bounded by their own bounds; our
        sockets close as they begin; then the other children.
        """
        Service.stopService(self)
        self.stopping = True
        self.listening = False
        settings = self.factory.settings
        bound = settings.grace + ABORT_AFTER_SECONDS + POOL_STOP_SECONDS + EXIT_MARGIN_SECONDS
        # After option 1, when the last client has left, there is nothing
        # to say (as in one process).
        quiet = self._drained
        ended = self.workers.stopAll(Stop, bound)
        yield self._closeOwn()
        yield ended
        if not quiet:
            log.info(self.catalogue.allClosed)
            log.info(self.catalogue.socketClosed)
        others = [s for s in self if s not in self.listeners]
        for service in reversed(others):
            yield defer.maybeDeferred(service.stopService)
