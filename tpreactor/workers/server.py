# -*- test-case-name: tests.test_workers_server -*-
"""
The main process of C{--workers N}: it listens (so the sockets exist once)
but accepts nothing itself, starts the workers that accept on them, and is
what the operator controls: L{WorkersServer} has the API of
L{tpreactor.service.TimeServer} that the operator's control uses, acting on
every worker.
"""

from twisted.application.service import MultiService, Service
from twisted.internet import defer
from twisted.internet.protocol import ServerFactory
from twisted.logger import Logger

from ..defaultlog import ObservesApplication
from ..messages import catalogue as catalogueFor
from ..shutdown.graceful import ABORT_AFTER_SECONDS, POOL_STOP_SECONDS
from ..shutdown.listening import queuedConnections
from .commands import CloseListeners, Hurry, Stop, WhenEmpty

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: Beyond its own bounds (the grace period, the abort, the pool), how long a
#: worker may take to exit before it is killed.
EXIT_MARGIN_SECONDS = 5.0 * SECONDS


class Remote:
    """
    A client of some worker, as the operator's control counts them.
    """

    finished = False


class MainView(ServerFactory):
    """
    What the listening services and the operator's control read of "the
    factory" in the main process: the settings and texts, and the clients
    as the workers last told.

    @ivar connections: one L{Remote} per client the workers said they serve.
    @ivar workers: the L{tpreactor.workers.supervisor.Supervisor}.
    """

    noisy = False
    holdsClients = False
    pausesPorts = False
    waiting = ()

    def __init__(self, settings, clock, workers):
        self.settings = settings
        self.catalogue = catalogueFor(settings.lang)
        self.clock = clock
        self.ports = []
        self.connections = []
        self.workers = workers

    def addPort(self, port):
        """
        A listening service listens on C{port} (for the workers).
        """
        self.ports.append(port)

    def removePort(self, port):
        if port in self.ports:
            self.ports.remove(port)

    def whenEmpty(self):
        """
        A Deferred that fires once no worker has a client left.
        """
        d = self.workers.tell(WhenEmpty)
        return d.addCallback(self._emptied)

    def _emptied(self, _):
        self.connections = []


class WorkersServer(ObservesApplication, MultiService):
    """
    The whole server in the main process: the listening services (whose
    sockets the workers accept on) and the operator's control as children,
    and the L{Supervisor} of the workers.

    @ivar factory: the L{MainView}.
    @ivar pool: always C{None} (each worker has its own).
    @ivar workers: the L{tpreactor.workers.supervisor.Supervisor}.
    """

    pool = None

    def __init__(self, view, listeners, workers, reactor):
        MultiService.__init__(self)
        self.factory = view
        self.listeners = listeners
        self.workers = workers
        self.reactor = reactor
        self.stopping = False
        self.listening = True
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

    @defer.inlineCallbacks
    def closeListeners(self):
        """
        Option 1 in every worker; then our own copies of the sockets close,
        and the kernel resets whoever waited in their queues.

        @return: a Deferred firing with (clients held and closed, connections
            reset in the kernel's queue or C{None} if unknown).
        """
        if not self.listening:
            return (0, 0)
        self.listening = False
        self.workers.replacing = False
        queued = [queuedConnections(s.port) for s in self.listeners if s.port is not None]
        answers = yield self.workers.tell(CloseListeners)
        yield self._closeOwn()
        answers = [a for _, a in answers if a is not None]
        self.factory.connections = [Remote() for a in answers for _ in range(a["served"])]
        backlog = None if None in queued else sum(queued)
        return (sum(a["waiting"] for a in answers), backlog)

    def _closeOwn(self):
        return defer.gatherResults([defer.maybeDeferred(s.stopService) for s in self.listeners if s.running])

    def hurry(self):
        """
        Cut every worker's graceful stop short (each says in its exit status
        whether that cut anything).
        """
        self.workers.tell(Hurry)
        return self.stopping

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
        ended = self.workers.stopAll(Stop, bound)
        yield self._closeOwn()
        yield ended
        t = self.factory.catalogue
        log.info(t.allClosed)
        log.info(t.socketClosed)
        others = [s for s in self if s not in self.listeners]
        for service in reversed(others):
            yield defer.maybeDeferred(service.stopService)
