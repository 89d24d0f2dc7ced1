# -*- test-case-name: tests.test_listening -*-
"""
The listening sockets: one service per endpoint, and the kernel's accept
queue behind them, which is closed (option 1) or turned away with the
closing line (a graceful shutdown in serial mode).
"""

import socket
import struct

from twisted.application.service import Service
from twisted.internet import defer, task
from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure

from .endpoints import describeOSError
from .peers import describeListening
from .protocol import SHUTDOWN

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: At most how long a graceful shutdown in serial mode keeps accepting, to
#: tell the clients in the kernel's backlog that the server is closing.
BACKLOG_DRAIN_SECONDS = 0.5 * SECONDS
BACKLOG_POLL_SECONDS = 0.01 * SECONDS


class ListeningService(Service):
    """
    Listens on one endpoint with the server's factory (in
    C{privilegedStartService}, with every other endpoint), and says so
    when the server starts (C{startService}).

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
        cat = self.factory.catalogue
        outcome = []
        d = self.endpoint.listen(self.factory)
        d.addBoth(outcome.append)
        if not outcome:
            raise SystemExit(cat.cannotListen.format(description=self.description, reason=cat.noAnswer))
        result = outcome[0]
        if isinstance(result, Failure):
            reason = explainListenError(result.value, cat.lang)
            raise SystemExit(cat.cannotListen.format(description=self.description, reason=reason))
        if self.factory.pausesPorts and not IPushProducer.providedBy(result):
            result.stopListening()
            raise SystemExit(cat.cannotPause.format(description=self.description, mode=self.modeName))
        self.port = result
        self.factory.addPort(result)

    def startService(self):
        """
        Say where it listens, once every endpoint of the server (the status
        endpoint's too) could listen.
        """
        Service.startService(self)
        if self.port is None:
            return
        address = self.port.getHost()
        log.info(self.factory.catalogue.listening, mode=self.modeName, address=describeListening(address))
        if getattr(address, "host", None) in ("0.0.0.0", "::") and not self.factory.settings.maxPerIp:
            log.warn(self.factory.catalogue.exposed, address=describeListening(address))

    def stopService(self):
        Service.stopService(self)
        port, self.port = self.port, None
        if port is None:
            return None
        self.factory.removePort(port)
        return port.stopListening()


def explainListenError(exc, lang="en"):
    """
    The reason a listen failed, in one line, in C{lang} where it is the
    system's reason.
    """
    socketError = getattr(exc, "socketError", None)
    if socketError is not None and getattr(socketError, "strerror", None):
        return describeOSError(socketError, lang)
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


class Listeners:
    """
    The server's listening services, taken down together: by the operator's
    option 1 (L{close}), or by the graceful shutdown (L{stop}), which first
    tells the clients waiting in the kernel's backlog that the server is
    closing.

    @ivar services: the L{ListeningService}s (children of the server, which
        starts them).
    @ivar listening: whether they are still up.
    """

    def __init__(self, services, factory, reactor):
        self.services = services
        self.factory = factory
        self.reactor = reactor
        self.listening = True

    def _stopAll(self):
        return defer.gatherResults([defer.maybeDeferred(s.stopService) for s in self.services])

    @defer.inlineCallbacks
    def close(self):
        """
        Stop accepting: close the listening sockets (the kernel resets whoever
        waits in their backlog) and the clients held for their turn, without a
        welcome. The connected clients keep being served.

        @return: a Deferred firing with (clients held and closed, connections
            reset in the kernel's backlog or C{None} if unknown).
        """
        if not self.listening:
            return (0, 0)
        self.listening = False
        backlog = backlogOf(s.port for s in self.services if s.port is not None)
        yield self._stopAll()
        waiting = list(self.factory.waiting)
        for protocol in waiting:
            protocol.closeByServer(SHUTDOWN, atOnce=True)
        return (len(waiting), backlog)

    @defer.inlineCallbacks
    def stop(self):
        """
        The graceful shutdown's first step (the factory is already
        C{closing}): turn away the kernel's backlog, then stop listening.
        """
        self.listening = False
        yield self._turnAwayBacklog()
        yield self._stopAll()

    @defer.inlineCallbacks
    def _turnAwayBacklog(self):
        """
        Serial mode: clients waiting their turn in the kernel's backlog are
        accepted and get the closing line with no welcome, instead of the
        reset that closing the socket would give them.
        """
        factory = self.factory
        ports = list(factory.ports)
        if not factory.pausesPorts or not ports:
            return
        for protocol in factory.waiting:
            protocol.closeByServer(SHUTDOWN, atOnce=True)
        if None in [queuedConnections(port) for port in ports]:
            return  # the kernel does not say who waits (a unix socket, say)
        factory.acceptWaiting()
        deadline = self.reactor.seconds() + BACKLOG_DRAIN_SECONDS
        while sum(queuedConnections(port) for port in ports) and self.reactor.seconds() < deadline:
            yield task.deferLater(self.reactor, BACKLOG_POLL_SECONDS, lambda: None)


#: C{tcpi_state} of a listening socket (C{TCP_LISTEN} in C{<netinet/tcp.h>}).
_TCP_LISTEN = 10
#: Linux reports a listening socket's accept-queue length in C{tcpi_unacked}:
#: the fifth 32-bit field, after eight one-byte fields.
_UNACKED_OFFSET = 24


def kernelBacklog(factory):
    """
    How many clients wait their turn in the kernel's accept queue of
    C{factory}'s ports: only a factory that holds clients (serial mode) leaves
    them there while it serves; 0 for the others, and where the kernel does
    not tell (a unix socket, say).
    """
    if not factory.holdsClients:
        return 0
    return sum(queuedConnections(port) or 0 for port in factory.ports)


def backlogOf(ports):
    """
    How many connections wait in the kernel's accept queue of C{ports}, or
    C{None} where the system does not tell for one of them.
    """
    queued = [queuedConnections(port) for port in ports]
    return None if None in queued else sum(queued)


def queuedConnections(port):
    """
    How many connections wait in the kernel's accept queue of C{port}, or
    C{None} where the system does not tell (only Linux TCP does).
    """
    sock = getattr(port, "socket", None)
    tcpInfo = getattr(socket, "TCP_INFO", None)
    if sock is None or tcpInfo is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, tcpInfo, 104)
    except OSError:
        return None
    if len(info) < _UNACKED_OFFSET + 4 or info[0] != _TCP_LISTEN:
        return None
    return struct.unpack_from("I", info, _UNACKED_OFFSET)[0]
