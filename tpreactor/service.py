# -*- test-case-name: tests.test_service -*-
"""
The services twistd starts and stops: one per listening endpoint, and the
server around them that stops in order (stop listening, answer what was
received, say goodbye, stop the pool).
"""

import resource
import socket
import struct

from twisted.application.service import MultiService, Service
from twisted.internet import defer, task
from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure

from .console import consoleTexts, noneIfEmpty
from .peers import describeListening
from .protocol import SHUTDOWN
from .work import describeFailure

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: After the grace period the closing line is sent at once; a client that
#: does not read it within this much more time is cut off.
ABORT_AFTER_SECONDS = 1.0 * SECONDS
#: The pool may take what is left of the grace period to stop once every
#: connection is closed, and at least this long; work still running then is
#: abandoned (its clients were cut or are gone).
POOL_STOP_SECONDS = 1.0 * SECONDS
#: At most how long a graceful shutdown in serial mode keeps accepting, to
#: tell the clients in the kernel's backlog that the server is closing.
BACKLOG_DRAIN_SECONDS = 0.5 * SECONDS
BACKLOG_POLL_SECONDS = 0.01 * SECONDS
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
        address = result.getHost()
        log.info(self.factory.catalogue.listening, mode=self.modeName, address=describeListening(address))
        if getattr(address, "host", None) in ("0.0.0.0", "::") and not self.factory.settings.maxPerIp:
            log.warn(self.factory.catalogue.exposed, address=describeListening(address))

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
    gets the closing line, bounded by C{grace} seconds, then the pool, then
    any other child (the operator's console).

    @ivar cut: the peers whose pending replies were dropped, by the grace
        period or by an operator in a hurry (L{hurry}), and the ones aborted
        with replies they never read.
    @ivar hurried: whether L{hurry} closed connections before their time.
    @ivar abandoned: whether work still running in the pool was left behind
        (its clients were cut, which the exit status says, or had gone).
    @ivar stopping: whether the graceful shutdown has begun.
    @ivar listening: whether the listeners are still up (L{closeListeners}
        takes them down before a shutdown).
    """

    def __init__(self, factory, pool, listeners, reactor):
        MultiService.__init__(self)
        self.factory = factory
        self.pool = pool
        self.listeners = listeners
        self.reactor = reactor
        self.texts = consoleTexts(factory.catalogue.lang)
        self.cut = []
        self.hurried = False
        self.abandoned = False
        self.stopping = False
        self.listening = True
        self._rush = 0
        self._waits = []
        if pool is not None:
            pool.setServiceParent(self)
        for listener in listeners:
            listener.setServiceParent(self)

    @property
    def exitStatus(self):
        """
        0 after a clean shutdown; 1 if replies were dropped or the shutdown
        was cut short.
        """
        return 1 if (self.cut or self.hurried) else 0

    @defer.inlineCallbacks
    def closeListeners(self):
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
        queued = [queuedConnections(l.port) for l in self.listeners if l.port is not None]
        backlog = None if None in queued else sum(queued)
        yield defer.gatherResults([defer.maybeDeferred(l.stopService) for l in self.listeners])
        waiting = list(self.factory.waiting)
        for protocol in waiting:
            protocol.closeByServer(SHUTDOWN, atOnce=True)
        return (len(waiting), backlog)

    @defer.inlineCallbacks
    def stopService(self):
        Service.stopService(self)
        self.stopping = True
        began = self.reactor.seconds()
        factory = self.factory
        t = self.texts
        quiet = not self.listening and not factory.connections
        if not quiet:
            log.info(
                t.shutdownStarted,
                open=len(factory.connections),
                waiting=len(factory.waiting),
                pending=sum(p.pending for p in factory.connections),
                grace=f"{factory.settings.grace:g}",
            )
        self.listening = False
        factory.closing = True
        yield self._turnAwayBacklog()
        yield defer.gatherResults([defer.maybeDeferred(l.stopService) for l in self.listeners])
        if not quiet:
            yield self.closeConnections()
            log.info(t.allClosed)
            log.info(t.socketClosed)
        if self.pool is not None:
            log.info(t.poolStopping)
            stopped = defer.maybeDeferred(self.pool.stopService)
            stopped.addErrback(lambda f: log.warn(t.poolStopFailed, cause=describeFailure(f.value)))
            left = max(POOL_STOP_SECONDS, factory.settings.grace - (self.reactor.seconds() - began))
            if (yield self._within(stopped, left, 1)):
                log.info(t.poolStopped)
            else:
                self.abandoned = True
                log.warn(t.poolAbandoned, seconds=f"{left:.3g}")
                self.pool.abandon()
        others = [s for s in self if s is not self.pool and s not in self.listeners]
        for service in reversed(others):
            yield defer.maybeDeferred(service.stopService)

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

    @defer.inlineCallbacks
    def closeConnections(self):
        """
        Every connection answers what it received, gets the closing line and
        is closed; after the grace period (or at once, if the operator is in
        a hurry) the rest get it without their replies, and the ones that do
        not take it within L{ABORT_AFTER_SECONDS} are aborted.
        """
        factory = self.factory
        t = self.texts
        protocols = list(factory.connections)
        before = {p: p.messages for p in protocols}
        for protocol in protocols:
            protocol.closeByServer(SHUTDOWN)
        grace = factory.settings.grace
        if not (yield self._emptyWithin(grace, 0)):
            left = list(factory.connections)
            cut = [p.peer.joined for p in left if p.pending]
            self.cut.extend(cut)
            text = t.cutShort if self._rush else t.graceOver
            log.warn(text, grace=f"{grace:g}", count=len(left), peers=noneIfEmpty(cut))
            for protocol in left:
                protocol.closeByServer(SHUTDOWN, atOnce=True)
            if not (yield self._emptyWithin(ABORT_AFTER_SECONDS, 1)):
                left = list(factory.connections)
                for protocol in left:
                    protocol.transport.abortConnection()
                # What they were sent and did not read is lost: cut too.
                self.cut.extend(p.peer.joined for p in left if p.peer.joined not in self.cut)
                log.warn(t.aborted, count=len(left))
        answered = sum(p.messages - before[p] for p in protocols if hasattr(p, "messages"))
        log.info(t.shutdownDone, answered=answered, closed=len(protocols), cut=len(self.cut))

    def hurry(self):
        """
        The operator will not wait (a second Ctrl+C or a SIGTERM during the
        shutdown): what waits for the grace period is closed now, and what
        waits for its closing line to be read is aborted.

        @return: whether there was anything to hurry.
        """
        self._rush += 1
        waits, self._waits = self._waits, []
        if waits or (self.stopping and self.factory.connections):
            self.hurried = True
        for settle in waits:
            settle(False)
        return bool(waits)

    def _emptyWithin(self, seconds, phase):
        """
        A Deferred firing C{True} once no connection is left, or C{False}
        after C{seconds} or when L{hurry} is called (at once if it was called
        C{phase} times or more already).
        """
        return self._within(self.factory.whenEmpty(), seconds, phase)

    def _within(self, awaited, seconds, phase):
        """
        A Deferred firing C{True} once C{awaited} fires, or C{False} after
        C{seconds} or when L{hurry} is called (at once if it was called
        C{phase} times or more already).
        """
        if awaited.called:
            return defer.succeed(True)
        if self._rush > phase:
            return defer.succeed(False)
        result = defer.Deferred()

        def settle(value):
            if result.called:
                return
            if timer.active():
                timer.cancel()
            if settle in self._waits:
                self._waits.remove(settle)
            result.callback(value)

        timer = self.reactor.callLater(seconds, settle, False)
        self._waits.append(settle)
        awaited.addBoth(lambda _: settle(True))
        return result


#: C{tcpi_state} of a listening socket (C{TCP_LISTEN} in C{<netinet/tcp.h>}).
_TCP_LISTEN = 10
#: Linux reports a listening socket's accept-queue length in C{tcpi_unacked}:
#: the fifth 32-bit field, after eight one-byte fields.
_UNACKED_OFFSET = 24


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
