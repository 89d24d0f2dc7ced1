"""
Backpressure and faults over real sockets: a client cannot make the server
buffer without bound, and a client that misbehaves affects no one else (the
in-memory backpressure tests are in L{tests.test_replies}).
"""

from twisted.internet import defer, reactor, task
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import TestCase

from .contract import REPLY
from .twistedclient import connect, startServer



def _bufferedBytes(protocol):
    transport = protocol.transport
    return len(transport.dataBuffer) + transport._tempDataLen


class LoopbackFaultTests(TestCase):
    def test_floodWithoutReading(self):
        """
        A client that floods and never reads its replies stops being read; the
        server's buffer for it stays bounded, and another client is answered.
        """
        return self._floodWithoutReading(0.0)

    def test_floodWithoutReadingWithWork(self):
        """
        The same flood, with work on every message, keeps the buffer bounded too.
        """
        return self._floodWithoutReading(0.001)

    @defer.inlineCallbacks
    def _floodWithoutReading(self, work):
        server = startServer("reactor", work=work, quiet=True)
        self.addCleanup(server.stopService)
        flooder = yield connect(server.port)
        flooder.transport.pauseProducing()  # never read a reply
        flooder.send(b"y\n" * 2_000_000)
        (protocol,) = server.factory.connections
        for _ in range(200):
            if protocol.paused:
                break
            yield task.deferLater(reactor, 0.02, lambda: None)
        assert protocol.paused
        peak = 0
        for _ in range(20):
            peak = max(peak, _bufferedBytes(protocol))
            yield task.deferLater(reactor, 0.01, lambda: None)
        assert peak < 256 * 1024
        other = yield connect(server.port)
        yield other.line()
        assert (yield other.ask("hola")).startswith(REPLY)
        flooder.transport.abortConnection()
        yield flooder.closed

    @defer.inlineCallbacks
    def test_resetWhileWorking(self):
        """
        A client that resets the connection while its message is in the pool:
        no error in the log, and the registry is empty again.
        """
        errors = []

        def observe(event):
            if event.get("log_failure") is not None or event.get("log_level").name in ("error", "critical"):
                errors.append(event)

        globalLogPublisher.addObserver(observe)
        try:
            server = startServer("reactor", work=0.2, threads=2)
            self.addCleanup(server.stopService)
            client = yield connect(server.port)
            yield client.line()
            client.send("uno\n")
            yield task.deferLater(reactor, 0.05, lambda: None)
            client.transport.abortConnection()
            yield client.closed
            yield server.factory.whenEmpty().addTimeout(5, reactor)
            yield task.deferLater(reactor, 0.3, lambda: None)  # the work finishes for nobody
        finally:
            globalLogPublisher.removeObserver(observe)
        assert errors == []

    @defer.inlineCallbacks
    def test_connectDisconnectCycles(self):
        """
        Hundreds of connect/disconnect cycles leave the registry empty.
        """
        server = startServer("reactor", quiet=True)
        self.addCleanup(server.stopService)
        for _ in range(10):
            clients = yield defer.gatherResults([connect(server.port) for _ in range(50)])
            yield defer.gatherResults([c.line() for c in clients])
            for c in clients:
                c.transport.loseConnection()
            yield defer.gatherResults([c.closed for c in clients])
        yield server.factory.whenEmpty().addTimeout(5, reactor)
        assert server.factory.connections == {}
        assert server.factory._perIp == {}
