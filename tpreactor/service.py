# -*- test-case-name: tests.test_service -*-
"""
The service twistd runs: the pool (if the mode has one), the listeners and
the operator as children, started in that order and stopped by the graceful
stop.
"""

from twisted.application.service import MultiService, Service

from .defaultlog import ObservesApplication
from .shutdown.graceful import GracefulStop
from .shutdown.listening import Listeners


class TimeServer(ObservesApplication, MultiService):
    """
    The whole server: the pool (if the mode has one), then the listeners,
    then any other child (the operator's console).

    Stopping is the L{GracefulStop}: the listeners first (new clients are
    refused), then every connection answers what it already received and
    gets the closing line, bounded by the grace period, then the pool, then
    the other children.

    @ivar factory: the factory every listener serves with.
    @ivar pool: the service the work runs in, or C{None}.
    @ivar listeners: the L{tpreactor.shutdown.listening.ListeningService}s.
    @ivar graceful: the L{GracefulStop}; its C{cut}, C{hurried},
        C{abandoned}, C{stopping} and C{exitStatus} are the server's.
    @ivar makeLogObserver: makes the log observer twistd's application gets
        when it becomes this server's parent (see L{tpreactor.defaultlog}),
        or C{None} for twistd's own.
    """

    def __init__(self, factory, pool, listeners, reactor):
        MultiService.__init__(self)
        self.factory = factory
        self.pool = pool
        self.listeners = listeners
        self.reactor = reactor
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

    def closeListeners(self):
        """
        Option 1: stop accepting; see L{Listeners.close}.
        """
        return self._listeners.close()

    def hurry(self):
        """
        Cut the shutdown short; see L{GracefulStop.hurry}.
        """
        return self.graceful.hurry()

    def stopService(self):
        Service.stopService(self)
        others = [s for s in self if s is not self.pool and s not in self.listeners]
        return self.graceful.stop(others)
