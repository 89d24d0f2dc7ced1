# -*- test-case-name: tests.test_workers_ports -*-
"""
The listening sockets a worker shares: the main process opens them (so they
exist once, bound once, whichever worker lives or dies) and hands each worker
a descriptor of every one; a worker adopts them into its reactor
(C{adoptStreamPort}) with its own factory, and takes a few connections per
wake-up, so that a burst is spread over the workers.
"""

import os
import select

from twisted.application.service import Service
from twisted.logger import Logger

from ..endpoints import describeOSError, parseEndpoint
from ..peers import describeListening

log = Logger(namespace="tpreactor")

#: The endpoint types whose sockets a worker can adopt (C{haproxy:} over them).
SHAREABLE = ("tcp", "tcp6", "unix")
#: Most connections a worker accepts per wake-up. Twisted's accept loop takes
#: up to 100 at first and 20 more each time it takes all it could, so one
#: worker could take a queued burst whole; with 16 a loop lasts about a
#: millisecond and the workers take a burst in turns. Fewer cost CPU per
#: connection in churn (4: 6 % more, each loop a turn of the reactor and an
#: epoll registration); see docs/benchmarks.md ("Bursts over --workers").
ACCEPTS_PER_WAKE = 16


def endpointKind(description):
    """
    The endpoint type of C{description}, looking through wrappers such as
    C{haproxy:}.
    """
    kind, _, rest = description.partition(":")
    while kind == "haproxy":
        kind, _, rest = rest.partition(":")
    return kind


def shareable(description):
    """
    Whether workers can share the socket of C{description}: a plain stream
    socket (an C{ssl:} one would need its TLS context in every worker).
    """
    return endpointKind(description) in SHAREABLE


def wrapFactory(reactor, description, factory):
    """
    C{factory} wrapped as the endpoint of C{description} would wrap it
    before listening (C{haproxy:} reads the PROXY header first).
    """
    endpoint = parseEndpoint(reactor, description)
    wrappers = []
    while hasattr(endpoint, "_wrapperFactory") and hasattr(endpoint, "_wrappedEndpoint"):
        wrappers.append(endpoint._wrapperFactory)
        endpoint = endpoint._wrappedEndpoint
    for wrapper in reversed(wrappers):
        factory = wrapper(factory)
    return factory


def wakeAlone(reactor, port, catalogue=None):
    """
    Ask the kernel to wake one worker, not every one, for each connection
    on a shared socket (C{EPOLLEXCLUSIVE}, Linux 4.5 and later, with
    Twisted's epoll reactor): the others would wake only to find that
    someone else accepted it, at the cost of a reactor turn each.

    The kernel wakes the first idle worker in the socket's queue of
    waiters, so after each accept the worker registers again, at the back
    of that queue: idle workers take turns, and a busy one is passed over.
    Twisted has no API for the flag, so this uses its epoll object; if the
    port stops and starts reading, Twisted registers it as usual.

    A registration with the flag that fails (the socket is then out of
    epoll, though Twisted still counts it as read) registers it again
    without it, so the port never stops accepting, and says so once on
    the console (in C{catalogue}'s words).

    @return: whether the flag is set.
    """
    poller = getattr(reactor, "_poller", None)
    reads = getattr(reactor, "_reads", None)
    flag = getattr(select, "EPOLLEXCLUSIVE", None)
    epoll = getattr(select, "epoll", None)
    if flag is None or epoll is None or not isinstance(poller, epoll) or reads is None:
        return False
    fd = port.fileno()
    exclusive = [True]

    def register():
        try:
            poller.unregister(fd)
        except FileNotFoundError:  # not in epoll: put it back all the same
            pass
        try:
            poller.register(fd, select.EPOLLIN | flag)
        except OSError as e:
            poller.register(fd, select.EPOLLIN)  # as Twisted had it: never deaf
            exclusive[0] = False
            if catalogue is not None:
                log.warn(catalogue.epollShared, address=describeListening(port.getHost()),
                         reason=describeOSError(e, catalogue.lang))

    try:
        register()
    except OSError:  # neither way: Twisted's own registration is gone too
        log.failure("The shared socket could not be registered with epoll")
        return False
    if not exclusive[0]:
        return False
    accept = port.doRead

    def doRead():
        result = accept()
        if exclusive[0] and fd in reads:  # still reading: to the back of the queue
            try:
                register()
            except OSError:
                log.failure("The shared socket could not be registered with epoll")
        return result

    port.doRead = doRead
    return True


class AdoptedPort(Service):
    """
    In a worker: accepts on a listening socket the main process opened.

    @ivar description: the endpoint, as the operator wrote it.
    @ivar fd: the descriptor this process got it on (closed once adopted:
        the reactor keeps a copy).
    @ivar family: its address family.
    @ivar port: the listening port once started, else C{None}.
    """

    def __init__(self, description, fd, family, factory, reactor):
        self.description = description
        self.fd = fd
        self.family = family
        self.factory = factory
        self.reactor = reactor
        self.port = None

    def privilegedStartService(self):
        Service.privilegedStartService(self)
        wrapped = wrapFactory(self.reactor, self.description, self.factory)
        self.port = self.reactor.adoptStreamPort(self.fd, self.family, wrapped)
        os.close(self.fd)
        wakeAlone(self.reactor, self.port, self.factory.catalogue)
        self.factory.addPort(self.port)

    def stopService(self):
        Service.stopService(self)
        port, self.port = self.port, None
        if port is None:
            return None
        self.factory.removePort(port)
        return port.stopListening()
