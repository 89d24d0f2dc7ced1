# -*- test-case-name: tests.test_proxy_wrapper -*-
"""
Connections behind a proxy that speaks the PROXY protocol: the server's
protocol is connected only once the header is read, so that everything it
does (the welcome, the console, the per-address limit, the client list) sees
the real client.

Twisted's C{HAProxyProtocolWrapper} connects the wrapped protocol at once,
with the proxy's address, and closes without a word on a bad header (or
raises, on a bad v1 port); this one does neither. Nor does it believe
anyone: only a peer of C{--trusted-proxies} may send a header, and a
client the headers claim is admitted once at a time (L{tpreactor.proxy._trust}).
"""

from enum import Enum

from twisted.internet.defer import Deferred
from twisted.internet.endpoints import _WrapperServerEndpoint
from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.protocols.policies import ProtocolWrapper, WrappingFactory
from zope.interface import directlyProvides, implementer, providedBy

from ..peers import peerOf
from ._header import HeaderReader, NotAHeader
from ._trust import Claims, Trusted

SECONDS = 1.0
#: A connection that has not sent its whole header this long after it was
#: accepted is closed: a proxy sends it at once, with the connection.
HEADER_TIMEOUT_SECONDS = 5 * SECONDS
#: Why a connection is closed before its header was read, besides
#: L{tpreactor.proxy._header.MISSING} and C{MALFORMED}.
SLOW, GONE = "slow", "gone"
#: Why a connection is closed without its header being believed: its own
#: peer is no trusted proxy, or the client its header names is connected.
UNTRUSTED, DUPLICATE = "untrusted", "duplicate"

log = Logger(namespace="tpreactor")


class Stage(Enum):
    HEADER = "header"  # reading the header; the server's protocol is not connected
    CLAIM = "claim"  # a client's header, whose client may already be connected: asking
    CLIENT = "client"  # the header was a client's: the server's protocol has the connection
    DONE = "done"  # refused, or a health check: closed without the server's protocol


@implementer(IHalfCloseableProtocol)
class HeaderFirst(ProtocolWrapper):
    """
    Reads the PROXY header, then hands the connection to the server's
    protocol, with the header's source as the peer.

    @ivar stage: the L{Stage} of the connection.
    """

    stage = Stage.HEADER
    _source = None
    _reader = None
    _deadline = None
    _paused = False
    _held = b""
    #: The client the header claimed, as the console writes it, while its
    #: claim is asked for or held (see L{tpreactor.proxy._trust.Claims}).
    _claimed = None
    _halfClosed = False

    def makeConnection(self, transport):
        directlyProvides(self, providedBy(transport))
        # Counted as open from the accept, header or not: the server's
        # protocol is counted only once it has the connection.
        self.factory.accepting.opened()
        Protocol.makeConnection(self, transport)
        self.factory.registerProtocol(self)

    def connectionMade(self):
        if not self.factory.trusted.believes(self.transport.getPeer()):
            self._refuse(UNTRUSTED)
            return
        self._reader = HeaderReader()
        self._deadline = self.factory.reactor.callLater(self.factory.headerTimeout, self._refuse, SLOW)

    # -- the header --------------------------------------------------------------

    def dataReceived(self, data):
        if self.stage is Stage.CLIENT:
            self.wrappedProtocol.dataReceived(data)
        elif self.stage is Stage.CLAIM:
            self._held += data
        elif self.stage is Stage.HEADER:
            try:
                header = self._reader.feed(data)
            except NotAHeader as e:
                self._refuse(e.reason)
                return
            if header is not None:
                self._read(header)

    def _read(self, header):
        self._endHeader(Stage.DONE if header.local else Stage.CLAIM)
        if header.local:  # the proxy's health check: no client, nothing to say
            self.transport.loseConnection()
            return
        self._source = header.source
        self._held = header.rest
        if header.source is None:  # the proxy's own address stands: no claim
            self._connect()
            return
        self._claimed = peerOf(header.source).joined
        answer = self.factory.claims.claim(self._claimed)
        if isinstance(answer, Deferred):  # asked of another process: wait, unread
            self.transport.pauseProducing()
            answer.addCallback(self._answered, True)
        else:
            self._answered(answer)

    def _answered(self, free, paused=False):
        """
        Whether the client the header claimed was free: if so it is
        admitted, else refused (a balancer never sends one client twice).
        """
        if self.stage is not Stage.CLAIM:  # gone meanwhile
            if free:
                self.factory.claims.release(self._claimed)
            self._claimed = None
            return
        if not free:
            claimed, self._claimed = self._claimed, None
            self._refuse(DUPLICATE, claimed=claimed)
            return
        if paused:
            self.transport.resumeProducing()
        self._connect()

    def _connect(self):
        """
        The server's protocol has the connection from now on.
        """
        self.stage = Stage.CLIENT
        self.factory.accepting.closed()  # the server's protocol counts it from now
        self.wrappedProtocol.makeConnection(self)
        held, self._held = self._held, b""
        if held:
            if self._paused:  # held for its turn: this waits with it
                self._held = held
            else:
                self.wrappedProtocol.dataReceived(held)
        if self._halfClosed and self.stage is Stage.CLIENT:
            self._halfCloseable("readConnectionLost")

    def _refuse(self, reason, close=True, claimed=None):
        """
        Not a client's header, or not one to believe: one console line with
        the proxy's end of the connection (the client's is unknown, or not
        believed), and the close.
        """
        if self._deadline is not None and not self._deadline.active():
            self._deadline = None  # it is what called
        self._endHeader(Stage.DONE)
        cat = self.factory.catalogue
        why = cat.proxyReasons[reason].format(seconds=self.factory.headerTimeout, claimed=claimed)
        log.info(cat.proxyRefused, peer=peerOf(self.transport.getPeer()).joined, reason=why)
        if close:
            self.transport.loseConnection()

    def _endHeader(self, stage):
        self.stage = stage
        self._reader = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    # -- the transport, as the server's protocol sees it ---------------------------

    def getPeer(self):
        return self._source or self.transport.getPeer()

    def pauseProducing(self):
        self._paused = True
        self.transport.pauseProducing()

    def resumeProducing(self):
        self._paused = False
        self.transport.resumeProducing()
        held, self._held = self._held, b""
        if held and self.stage is Stage.CLIENT:
            self.wrappedProtocol.dataReceived(held)

    # -- the ends of the connection ------------------------------------------------

    def readConnectionLost(self):
        if self.stage is Stage.HEADER:
            self._refuse(GONE)
        elif self.stage is Stage.CLAIM:  # told once the client is admitted
            self._halfClosed = True
        elif self.stage is Stage.CLIENT:
            self._halfCloseable("readConnectionLost")

    def writeConnectionLost(self):
        if self.stage is Stage.CLIENT:
            self._halfCloseable("writeConnectionLost")
        else:
            self.transport.loseConnection()

    def _halfCloseable(self, name):
        wrapped = IHalfCloseableProtocol(self.wrappedProtocol, None)
        if wrapped is None:
            self.transport.loseConnection()
        else:
            getattr(wrapped, name)()

    def connectionLost(self, reason):
        if self.stage is Stage.HEADER:
            self._refuse(GONE, close=False)
        if self.stage is not Stage.CLIENT:
            self.factory.accepting.closed()
        self.factory.unregisterProtocol(self)
        if self.stage is Stage.CLIENT:
            if self._claimed is not None:
                self.factory.claims.release(self._claimed)
                self._claimed = None
            self.wrappedProtocol.connectionLost(reason)
        elif self.stage is Stage.CLAIM:  # the answer finds it gone (see _answered)
            self.stage = Stage.DONE
        self.wrappedProtocol = None


class HeaderFirstFactory(WrappingFactory):
    """
    Wraps the server's factory (a L{tpreactor.factory.TimeFactory}, whose
    C{reactor} times the header and whose C{catalogue} words the console
    line) so that its protocols are connected once the header is read.

    @ivar headerTimeout: how long a connection may take to send its header.
    @ivar trusted: the L{Trusted} peers, from the settings' C{trustedProxies}.
    """

    protocol = HeaderFirst
    noisy = False
    headerTimeout = HEADER_TIMEOUT_SECONDS

    def __init__(self, wrappedFactory):
        WrappingFactory.__init__(self, wrappedFactory)
        settings = getattr(wrappedFactory, "settings", None)
        self.trusted = Trusted() if settings is None else Trusted(settings.trustedProxies)

    @property
    def claims(self):
        """
        The live claims of the server this factory's connections reach: the
        wrapped factory's C{proxyClaims} (one for all its listeners; a
        worker's asks the main process), made here the first time.
        """
        wrapped = self.wrappedFactory
        claims = getattr(wrapped, "proxyClaims", None)
        if claims is None:
            claims = wrapped.proxyClaims = Claims()
        return claims

    reactor = property(lambda self: self.wrappedFactory.reactor)
    catalogue = property(lambda self: self.wrappedFactory.catalogue)
    #: The count of open connections that keeps accepting within the
    #: open-file limit (L{tpreactor.accepting.Accepting}).
    accepting = property(lambda self: self.wrappedFactory.accepting)


class ProxiedEndpoint(_WrapperServerEndpoint):
    """
    An endpoint whose connections come through a proxy: each reads a PROXY
    header before the server's protocol has it. A Twisted wrapper endpoint
    (C{_wrappedEndpoint}, C{_wrapperFactory}) like the one Twisted's own
    C{haproxy:} parser gives, so that code which adopts the wrapped socket
    elsewhere (the workers) wraps its factory the same way.

    @ivar wrapped: the endpoint that listens.
    """

    def __init__(self, wrapped):
        _WrapperServerEndpoint.__init__(self, wrapped, HeaderFirstFactory)

    wrapped = property(lambda self: self._wrappedEndpoint)
