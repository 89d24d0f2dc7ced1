# -*- test-case-name: tests.test_proxy_wrapper -*-
"""
Connections behind a proxy that speaks the PROXY protocol: the server's
protocol is connected only once the header is read, so that everything it
does (the welcome, the console, the per-address limit, the client list) sees
the real client.

Twisted's C{HAProxyProtocolWrapper} connects the wrapped protocol at once,
with the proxy's address, and closes without a word on a bad header (or
raises, on a bad v1 port); this one does neither.
"""

from enum import Enum

from twisted.internet.endpoints import _WrapperServerEndpoint
from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.protocols.policies import ProtocolWrapper, WrappingFactory
from zope.interface import directlyProvides, implementer, providedBy

from ..peers import peerOf
from ._header import HeaderReader, NotAHeader

SECONDS = 1.0
#: A connection that has not sent its whole header this long after it was
#: accepted is closed: a proxy sends it at once, with the connection.
HEADER_TIMEOUT_SECONDS = 5 * SECONDS
#: Why a connection is closed before its header was read, besides
#: L{tpreactor.proxy._header.MISSING} and C{MALFORMED}.
SLOW, GONE = "slow", "gone"

log = Logger(namespace="tpreactor")


class Stage(Enum):
    HEADER = "header"  # reading the header; the server's protocol is not connected
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

    def makeConnection(self, transport):
        directlyProvides(self, providedBy(transport))
        # Counted as open from the accept, header or not: the server's
        # protocol is counted only once it has the connection.
        self.factory.accepting.opened()
        Protocol.makeConnection(self, transport)
        self.factory.registerProtocol(self)

    def connectionMade(self):
        self._reader = HeaderReader()
        self._deadline = self.factory.reactor.callLater(self.factory.headerTimeout, self._refuse, SLOW)

    # -- the header --------------------------------------------------------------

    def dataReceived(self, data):
        if self.stage is Stage.CLIENT:
            self.wrappedProtocol.dataReceived(data)
        elif self.stage is Stage.HEADER:
            try:
                header = self._reader.feed(data)
            except NotAHeader as e:
                self._refuse(e.reason)
                return
            if header is not None:
                self._read(header)

    def _read(self, header):
        self._endHeader(Stage.DONE if header.local else Stage.CLIENT)
        if header.local:  # the proxy's health check: no client, nothing to say
            self.transport.loseConnection()
            return
        self._source = header.source
        self.factory.accepting.closed()  # the server's protocol counts it from now
        self.wrappedProtocol.makeConnection(self)
        if header.rest:
            if self._paused:  # held for its turn: this waits with it
                self._held = header.rest
            else:
                self.wrappedProtocol.dataReceived(header.rest)

    def _refuse(self, reason, close=True):
        """
        Not a client's header: one console line with the proxy's end of the
        connection (the client's is unknown), and the close.
        """
        if self._deadline is not None and not self._deadline.active():
            self._deadline = None  # it is what called
        self._endHeader(Stage.DONE)
        cat = self.factory.catalogue
        why = cat.proxyReasons[reason].format(seconds=self.factory.headerTimeout)
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
            self.wrappedProtocol.connectionLost(reason)
        self.wrappedProtocol = None


class HeaderFirstFactory(WrappingFactory):
    """
    Wraps the server's factory (a L{tpreactor.factory.TimeFactory}, whose
    C{reactor} times the header and whose C{catalogue} words the console
    line) so that its protocols are connected once the header is read.

    @ivar headerTimeout: how long a connection may take to send its header.
    """

    protocol = HeaderFirst
    noisy = False
    headerTimeout = HEADER_TIMEOUT_SECONDS

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
