# -*- test-case-name: tests.test_factory -*-
"""
Factories that track the active connections and decide who is served when:
everyone at once (L{TimeFactory}) or one at a time (L{SerialFactory}).
"""

from collections import deque
from dataclasses import dataclass
from typing import Optional

from twisted.internet import defer
from twisted.internet.protocol import ServerFactory
from twisted.logger import Logger

from .accepting import TURN, Accepting
from .messages import DatedLines, plural
from .messages import catalogue as catalogueFor
from .protocol import FULL, SHUTDOWN, TimeProtocol
from .proxy._trust import DEFAULT_TRUSTED
from .openfiles import maxOpenConnections
from .session import CloseDeadlines

log = Logger(namespace="tpreactor")


@dataclass(frozen=True)
class Settings:
    """
    What the operator chose; defaults are the contract's.
    """

    lang: str = "es"
    work: float = 0.0
    workKind: str = "sleep"
    threads: int = 10
    processes: int = 0
    maxLineLength: int = 1024
    idleTimeout: float = 0.0
    maxConnections: int = 0
    maxPerIp: int = 0
    quiet: bool = False
    grace: float = 10.0
    #: Most connections open at once, served, held and being refused alike
    #: (0: no limit); C{None}: what the open-file limit allows when the
    #: factory is made.
    maxOpen: Optional[int] = None
    #: The networks whose PROXY headers are believed (C{--trusted-proxies});
    #: unix-socket peers always are.
    trustedProxies: tuple = DEFAULT_TRUSTED


class TimeFactory(ServerFactory):
    """
    Serves every client at once and keeps the registry of connections.

    @ivar connections: the live connections in the order they connected
        (a dict used as an ordered set of L{TimeProtocol}).
    @ivar accepting: the L{Accepting} of the listening ports: it counts
        every connection open, refused ones included, and stops accepting
        when the open-file limit has no room for more.
    @ivar ports: the listening ports, added by the listening services
        (L{addPort}).
    @ivar closeDeadlines: the connections the server closed, cut off if
        they linger (L{tpreactor.session.CloseDeadlines}).
    @ivar maxConnections: most clients served (or held) at once: the
        C{--max-connections} asked for, within what the open-file limit
        allows while keeping room to refuse the next ones (0: no limit).
    """

    protocol = TimeProtocol
    noisy = False
    #: Whether serving needs ports that can stop accepting (L{IPushProducer}).
    pausesPorts = False
    #: Whether clients are held, unwelcomed, until their turn (L{waiting}).
    holdsClients = False
    #: Set by a graceful shutdown: whoever is accepted now gets the closing
    #: line at once, with no welcome.
    closing = False
    #: How many clients were accepted while C{closing} and got the closing
    #: line at once (serial mode's backlog, turned away).
    turnedAway = 0
    #: The C{--status} recorder (L{tpreactor.status.recorder.Recorder}), or
    #: C{None}: then nothing is recorded and nothing costs.
    status = None

    def __init__(self, settings, reactor, clock, executor):
        self.settings = settings
        self.catalogue = catalogueFor(settings.lang)
        #: The welcome and the start of the replies, formatted once a minute.
        self.datedLines = DatedLines(self.catalogue)
        self.reactor = reactor
        self.clock = clock
        self.executor = executor
        # Read by every connection on every message: looked up once here.
        self.monotonic = clock.monotonic
        self.maxLineLength = settings.maxLineLength
        self.quiet = settings.quiet
        self.exitWords = self.catalogue.exitWords
        self.longestExitWord = max(map(len, self.exitWords))
        self.connections = {}
        maxOpen = settings.maxOpen
        if maxOpen is None:
            maxOpen = maxOpenConnections()
        self.accepting = Accepting(maxOpen)
        self.ports = self.accepting.ports
        asked, allowed = settings.maxConnections, self.accepting.served
        self.maxConnections = min(asked, allowed) if asked and allowed else asked or allowed
        self._maxPerIp = settings.maxPerIp
        self._perIp = {}
        self._emptyWaiters = []
        self._soon = []
        self._turnCall = None
        self.closeDeadlines = CloseDeadlines(reactor)

    def startFactory(self):
        """
        Listening begins: say so if the open-file limit serves fewer clients
        than C{--max-connections} asked for.
        """
        asked = self.settings.maxConnections
        if asked > self.maxConnections:
            text = plural(self.catalogue, self.catalogue.openFileBound, self.maxConnections)
            log.warn(text, asked=asked, served=self.maxConnections)

    def addPort(self, port):
        """
        A listening service listens on C{port} with this factory.
        """
        self.accepting.add(port)

    def removePort(self, port):
        """
        C{port} stopped listening.
        """
        self.accepting.remove(port)

    def connectionOpened(self, protocol):
        """
        A client has connected: serve it, or refuse it when the server is full.
        """
        self.accepting.opened()
        if self.status is not None:
            self.status.opened(protocol)
        if self.closing:
            self.turnedAway += 1
            protocol.closeByServer(SHUTDOWN, atOnce=True)
            return
        if self._full(protocol):
            protocol.closeByServer(FULL, atOnce=True)
            return
        self.connections[protocol] = None
        if self._maxPerIp:  # counted only when --max-per-ip asks
            host = protocol.peer.host
            self._perIp[host] = self._perIp.get(host, 0) + 1
        self.admit(protocol)

    def admit(self, protocol):
        protocol.startServing()

    def sendSoon(self, protocol):
        """
        Whether C{protocol} holds the line it has to send until the end of
        this turn of the reactor: the first connection to send in a turn
        sends at once (a lone client's reply leaves without waiting), the
        others hold theirs, and every line held goes at the end of the
        turn, after the accept loop and the reads, one send per connection
        (see L{tpreactor.replies.Replies}).
        """
        if self._turnCall is None:
            self._turnCall = self.reactor.callLater(0, self._sendHeld)
            return False
        self._soon.append(protocol)
        return True

    def _sendHeld(self):
        self._turnCall = None
        soon, self._soon = self._soon, []
        for protocol in soon:
            protocol.sendHeld()

    def connectionClosed(self, protocol):
        self.accepting.closed()
        if self.status is not None:
            self.status.closed(protocol)
        if self.connections.pop(protocol, 0) is None and self._maxPerIp:
            host = protocol.peer.host
            left = self._perIp[host] - 1
            if left:
                self._perIp[host] = left
            else:
                del self._perIp[host]
        if not self.connections and self._emptyWaiters:
            waiters, self._emptyWaiters = self._emptyWaiters, []
            for d in waiters:
                d.callback(None)

    def _full(self, protocol):
        served = len(self.connections)
        if self.maxConnections and served >= self.maxConnections:
            return True
        accepting = self.accepting
        guests = accepting.guests
        # The open-file limit serves clients and guests (the status
        # endpoint's connections) alike.
        if guests and accepting.served and served + guests >= accepting.served:
            return True
        maxPerIp = self._maxPerIp
        return bool(maxPerIp and self._perIp.get(protocol.peer.host, 0) >= maxPerIp)

    @property
    def waiting(self):
        """
        Clients accepted and held for their turn (only the serial mode has any).
        """
        return []

    def findPeer(self, address):
        """
        The connection whose peer is written C{address} (C{127.0.0.1:53544},
        C{[::1]:53544}, C{unix:3}; C{::1:53544} is accepted too), or C{None}.
        """
        address = address.strip()
        for protocol in self.connections:
            peer = protocol.peer
            if address in (peer.joined, f"{peer.host}:{peer.port}"):
                return protocol
        return None

    def whenEmpty(self):
        """
        A Deferred that fires once no connection is left.
        """
        if not self.connections:
            return defer.succeed(None)
        d = defer.Deferred()
        self._emptyWaiters.append(d)
        return d


class SerialFactory(TimeFactory):
    """
    Serves one client at a time, in the order they connected.

    While a client is served the listening ports stop accepting, so the next
    ones wait in the kernel's backlog; the few that one accept loop takes in
    at once are held here, unread and unwelcomed, until their turn.
    """

    pausesPorts = True
    holdsClients = True

    def __init__(self, *args, **kwargs):
        TimeFactory.__init__(self, *args, **kwargs)
        self.active = None
        self._waiting = deque()

    @property
    def waiting(self):
        return list(self._waiting)

    def admit(self, protocol):
        if self.active is None:
            self._serve(protocol)
        else:
            protocol.hold()
            self._waiting.append(protocol)

    def _serve(self, protocol):
        self.active = protocol
        self._pausePorts()
        protocol.startServing()

    def connectionClosed(self, protocol):
        if protocol is self.active:
            self.active = None
            while self._waiting and self.active is None:
                nextUp = self._waiting.popleft()
                if not nextUp.finished:
                    self._serve(nextUp)
            if self.active is None and not self.closing:
                self._resumePorts()
        else:
            try:
                self._waiting.remove(protocol)
            except ValueError:
                pass
        TimeFactory.connectionClosed(self, protocol)

    def acceptWaiting(self):
        """
        Accept again so that the clients waiting in the kernel's backlog
        can be told the server is closing (L{closing} must be set).
        """
        self._resumePorts()

    def _pausePorts(self):
        self.accepting.pause(TURN)

    def _resumePorts(self):
        self.accepting.resume(TURN)
