# -*- test-case-name: tests.test_service -*-
"""
The service twistd runs: the pool (if the mode has one), the listeners and
the operator as children, started in that order and stopped by the graceful
stop.
"""

from twisted.application.service import MultiService, Service
from twisted.internet import defer
from zope.interface import implementer

from .logs.twistd import ObservesApplication
from .model import Disconnection, IServerModel
from .model.process import processState
from .protocol import OPERATOR
from .shutdown.graceful import GracefulStop
from .listening import Listeners, backlogOf
from .shutdown.processtree import terminateDescendants


@implementer(IServerModel)
class TimeServer(ObservesApplication, MultiService):
    """
    The whole server in one process: the pool (if the mode has one), then
    the listeners, then any other child (the operator's console); and the
    L{IServerModel} the operator's tools read and act on.

    Stopping is the L{GracefulStop}: the listeners first (new clients are
    refused), then every connection answers what it already received and
    gets the closing line, bounded by the grace period, then the pool, then
    the other children.

    @ivar factory: the factory every listener serves with.
    @ivar pool: the service the work runs in, or C{None}.
    @ivar listeners: the L{tpreactor.listening.ListeningService}s.
    @ivar graceful: the L{GracefulStop}; its C{cut}, C{hurried},
        C{abandoned}, C{stopping} and C{exitStatus} are the server's.
    @ivar makeLogObserver: makes the log observer twistd's application gets
        when it becomes this server's parent (see L{tpreactor.logs.twistd}),
        or C{None} for twistd's own.
    @ivar kernelBacklog: how many clients wait in the kernel's accept queue
        of the listening ports (C{None} where the system does not tell).
    """

    def __init__(self, factory, pool, listeners, reactor, modeName):
        MultiService.__init__(self)
        self.factory = factory
        self.pool = pool
        self.listeners = listeners
        self.reactor = reactor
        self.modeName = modeName
        self.catalogue = factory.catalogue
        self.started = factory.monotonic()
        self.kernelBacklog = lambda: backlogOf(factory.ports)
        self._listeners = Listeners(listeners, factory, reactor)
        self.graceful = GracefulStop(factory, pool, self._listeners, reactor)
        if pool is not None:
            pool.setServiceParent(self)
        for listener in listeners:
            listener.setServiceParent(self)

    cut = property(lambda self: self.graceful.cut, doc="The peers cut short (see L{GracefulStop}).")
    hurried = property(lambda self: self.graceful.hurried, doc="Whether the shutdown was hurried.")
    abandoned = property(lambda self: self.graceful.abandoned, doc="Whether the pool's work was abandoned.")
    stopping = property(lambda self: self.graceful.stopping, doc="Whether the graceful shutdown has begun.")
    exitStatus = property(lambda self: self.graceful.exitStatus, doc="0 after a clean shutdown, else 1.")
    listening = property(lambda self: self._listeners.listening, doc="Whether the listeners are still up.")
    holdsClients = property(lambda self: self.factory.holdsClients, doc="Whether clients wait their turn.")
    serving = property(lambda self: self.listening and not self.stopping, doc="Whether it serves new clients.")

    def startService(self):
        self.started = self.factory.monotonic()
        MultiService.startService(self)

    # -- the model (IServerModel) ------------------------------------------------------

    def state(self):
        """
        This process's L{tpreactor.model.ServerState}, at once.
        """
        return defer.succeed(processState(self, self.modeName, self.started, self.factory.monotonic()))

    def disconnect(self, peer):
        """
        The client written C{peer} gets the closing line after its replies.
        """
        protocol = self.factory.findPeer(peer)
        if protocol is None:
            return defer.succeed(Disconnection())
        protocol.closeByServer(OPERATOR)
        return defer.succeed(Disconnection(((protocol.peer.joined, None),)))

    def stopAccepting(self):
        """
        Option 1 (see L{Listeners.close}), and how many clients are still served.
        """
        d = self._listeners.close()
        return d.addCallback(lambda counts: (*counts, len([p for p in self.factory.connections if not p.finished])))

    def whenEmpty(self):
        return self.factory.whenEmpty()

    def startRecording(self):
        """
        A L{tpreactor.status.recorder.Recorder} in the factory, once.
        """
        if self.factory.status is None:
            from .status.recorder import Recorder

            Recorder(self.factory.monotonic).install(self.factory)

    def endNow(self):
        """
        Option 3: the pool's processes end at once (or whatever processes
        the work started).
        """
        if self.pool is not None:
            self.pool.abandon()
        else:
            terminateDescendants()

    def hurry(self):
        """
        Cut the shutdown short; see L{GracefulStop.hurry}.
        """
        return self.graceful.hurry()

    def stopService(self):
        Service.stopService(self)
        others = [s for s in self if s is not self.pool and s not in self.listeners]
        return self.graceful.stop(others)
