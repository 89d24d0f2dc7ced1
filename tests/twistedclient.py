"""
A Twisted line client for the loopback tests, and an in-process server.
"""

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.protocol import Protocol

from tpreactor.clock import SystemClock
from tpreactor.endpoints import parseEndpoint
from tpreactor.factory import Settings
from tpreactor.modes import modeNamed
from tpreactor.service import TimeServer
from tpreactor.listening import ListeningService

TIMEOUT_SECONDS = 10.0


class LineCollector(Protocol):
    """
    Collects the server's lines in a queue; C{closed} fires on disconnect.
    """

    def __init__(self):
        self.queue = defer.DeferredQueue()
        self.closed = defer.Deferred()
        self._buffer = b""

    def dataReceived(self, data):
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self.queue.put(line.decode("utf-8"))

    def connectionMade(self):
        self.local = getattr(self.transport.getHost(), "port", None)

    def connectionLost(self, reason):
        self.closed.callback(None)

    def line(self, timeout=TIMEOUT_SECONDS):
        return self.queue.get().addTimeout(timeout, reactor)

    def send(self, data):
        self.transport.write(data if isinstance(data, bytes) else data.encode("utf-8"))

    @defer.inlineCallbacks
    def ask(self, text):
        self.send(text + "\n")
        return (yield self.line())

    def halfClose(self):
        self.transport.loseWriteConnection()

    @property
    def localPort(self):
        return self.transport.getHost().port


def connect(port, endpoint=None):
    """
    A L{LineCollector} connected to C{port} on 127.0.0.1, or to C{endpoint}.
    """
    return connectProtocol(endpoint or TCP4ClientEndpoint(reactor, "127.0.0.1", port), LineCollector())


def startServer(mode="reactor", factoryHook=None, endpoint="tcp:0:interface=127.0.0.1", **settings):
    """
    A tpreactor server in this process on a free loopback port; returns the
    started L{TimeServer} (its C{port} attribute is the port number).
    """
    factory, pool = modeNamed(mode).makeFactory(Settings(**settings), reactor, SystemClock())
    if factoryHook is not None:
        factoryHook(factory)
    listener = ListeningService(endpoint, parseEndpoint(reactor, endpoint), factory, mode)
    server = TimeServer(factory, pool, [listener], reactor, mode)
    server.privilegedStartService()
    server.startService()
    server.port = getattr(listener.port.getHost(), "port", None)
    return server
