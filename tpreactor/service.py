# -*- test-case-name: tests.test_service -*-
"""
The services twistd starts and stops: one per listening endpoint, and the
server around them that stops in order (stop listening, answer what was
received, say goodbye, stop the pool).
"""

import resource

from twisted.application.service import MultiService, Service
from twisted.internet import defer
from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure

from .peers import describeListening
from .protocol import SHUTDOWN

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: After the grace period the closing line is sent at once; a client that
#: does not read it within this much more time is cut off.
ABORT_AFTER_SECONDS = 1.0 * SECONDS
#: File descriptors kept free for the server itself (log files, the pool,
#: the listening sockets) when the default connection limit is computed.
DESCRIPTOR_MARGIN = 64


def raiseOpenFileLimit():
    """
    Raise our own soft limit on open files to the hard limit and return it:
    every client costs a descriptor.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def defaultMaxConnections():
    """
    As many connections as the open-file limit allows, less a margin.
    """
    limit = raiseOpenFileLimit()
    if limit == resource.RLIM_INFINITY:
        return 0
    return max(1, limit - DESCRIPTOR_MARGIN)


class ListeningService(Service):
    """
    Listens on one endpoint with the server's factory.

    Failing to listen is one line and a non-zero exit, not a traceback.
    """

    def __init__(self, description, endpoint, factory, modeName):
        self.description = description
        self.endpoint = endpoint
        self.factory = factory
        self.modeName = modeName
        self.port = None

    def privilegedStartService(self):
        Service.privilegedStartService(self)
        outcome = []
        d = self.endpoint.listen(self.factory)
        d.addBoth(outcome.append)
        if not outcome:
            raise SystemExit(f"tpreactor: cannot listen on {self.description}: the endpoint did not answer")
        result = outcome[0]
        if isinstance(result, Failure):
            raise SystemExit(f"tpreactor: cannot listen on {self.description}: {explainListenError(result.value)}")
        if self.factory.pausesPorts and not IPushProducer.providedBy(result):
            result.stopListening()
            raise SystemExit(
                f"tpreactor: {self.description} cannot pause accepting, which {self.modeName} mode needs"
            )
        self.port = result
        self.factory.ports.append(result)
        log.info(
            self.factory.catalogue.listening,
            mode=self.modeName,
            address=describeListening(result.getHost()),
        )

    def stopService(self):
        Service.stopService(self)
        port, self.port = self.port, None
        if port is None:
            return None
        if port in self.factory.ports:
            self.factory.ports.remove(port)
        return port.stopListening()


def explainListenError(exc):
    """
    The reason a listen failed, in one line.
    """
    socketError = getattr(exc, "socketError", None)
    if socketError is not None and getattr(socketError, "strerror", None):
        return socketError.strerror
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


class TimeServer(MultiService):
    """
    The whole server: the pool (if the mode has one), then the listeners.

    Stopping is graceful and in order: the listeners first (new clients are
    refused), then every connection answers what it already received and
    gets the closing line, bounded by C{grace} seconds, then the pool.

    @ivar cut: the peers whose pending replies the grace period dropped.
    """

    def __init__(self, factory, pool, listeners, reactor):
        MultiService.__init__(self)
        self.factory = factory
        self.pool = pool
        self.listeners = listeners
        self.reactor = reactor
        self.cut = []
        if pool is not None:
            pool.setServiceParent(self)
        for listener in listeners:
            listener.setServiceParent(self)

    @defer.inlineCallbacks
    def stopService(self):
        Service.stopService(self)
        yield defer.gatherResults([defer.maybeDeferred(l.stopService) for l in self.listeners])
        yield self.closeConnections()
        if self.pool is not None:
            yield defer.maybeDeferred(self.pool.stopService)

    @defer.inlineCallbacks
    def closeConnections(self):
        """
        Every connection answers what it received, gets the closing line and
        is closed; after the grace period the rest get it at once.
        """
        factory = self.factory
        for protocol in list(factory.connections):
            protocol.closeByServer(SHUTDOWN)
        grace = factory.settings.grace
        if not (yield self._emptyWithin(grace)):
            for protocol in list(factory.connections):
                if protocol.pending:
                    self.cut.append(protocol.peer.joined)
                protocol.closeByServer(SHUTDOWN, atOnce=True)
            if not (yield self._emptyWithin(ABORT_AFTER_SECONDS)):
                for protocol in list(factory.connections):
                    protocol.transport.abortConnection()

    def _emptyWithin(self, seconds):
        d = self.factory.whenEmpty()
        if d.called:
            return defer.succeed(True)
        d.addTimeout(seconds, self.reactor)
        return d.addCallbacks(lambda _: True, lambda f: f.trap(defer.TimeoutError) and False)
