"""
The limits over real loopback sockets, in both modes: what the client
receives and what the console says.
"""

from twisted.internet import defer, reactor
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import TestCase

from .contract import REPLY
from .twistedclient import connect, startServer

MODES = ["reactor", "serial"]


def said(events, text):
    return any(text in formatEvent(e) for e in events)


class LiveLimitTests(TestCase):
    def test_tooLongReactor(self):
        """
        In reactor mode the message before is answered, then the refusal line, then the close.
        """
        return self._tooLong("reactor")

    def test_tooLongSerial(self):
        """
        In serial mode the message before is answered, then the refusal line, then the close.
        """
        return self._tooLong("serial")

    @defer.inlineCallbacks
    def _tooLong(self, mode):
        with capturedLogs() as events:
            server = startServer(mode, maxLineLength=10)
            self.addCleanup(server.stopService)
            client = yield connect(server.port)
            yield client.line()
            client.send("0123456789\n" + "x" * 11 + "\n")
            assert (yield client.line()).startswith(REPLY)
            assert (yield client.line()) == "Servidor: Error: mensaje demasiado largo (máximo 10 bytes)."
            yield client.closed.addTimeout(5, reactor)
        assert said(events, f"Cliente 127.0.0.1:{client.local} desconectado por el servidor: mensaje demasiado largo.")

    def test_idleReactor(self):
        """
        In reactor mode an idle client gets the inactivity line and is closed,
        and the console says why.
        """
        return self._idle("reactor")

    def test_idleSerial(self):
        """
        In serial mode an idle client gets the inactivity line and is closed,
        and the console says why.
        """
        return self._idle("serial")

    @defer.inlineCallbacks
    def _idle(self, mode):
        with capturedLogs() as events:
            server = startServer(mode, idleTimeout=0.3)
            self.addCleanup(server.stopService)
            client = yield connect(server.port)
            yield client.line()
            assert (yield client.line()) == "Servidor: Conexión cerrada por inactividad."
            yield client.closed.addTimeout(5, reactor)
        assert said(events, f"Cliente 127.0.0.1:{client.local} desconectado por el servidor: inactividad.")

    @defer.inlineCallbacks
    def test_full(self):
        """
        Above --max-connections the new client gets "server full" at once and
        the others are not affected.
        """
        with capturedLogs() as events:
            server = startServer("reactor", maxConnections=2)
            self.addCleanup(server.stopService)
            first = yield connect(server.port)
            yield first.line()
            second = yield connect(server.port)
            yield second.line()
            third = yield connect(server.port)
            assert (yield third.line()) == "Servidor: Servidor lleno, intente más tarde."
            yield third.closed.addTimeout(5, reactor)
            assert (yield first.ask("sigo")).startswith(REPLY)
        assert said(events, f"Cliente 127.0.0.1:{third.local} desconectado por el servidor: servidor lleno.")

    @defer.inlineCallbacks
    def test_fullSerialCountsHeld(self):
        """
        In serial mode a burst accepted at once is served plus held; past the
        limit the rest are refused, and the held one is served in its turn.
        """
        server = startServer("serial", maxConnections=2)
        self.addCleanup(server.stopService)
        clients = yield defer.gatherResults([connect(server.port) for _ in range(4)])
        lines = yield defer.gatherResults([c.line() for c in clients[:1]])
        assert lines[0].startswith("Servidor: Conexión establecida")
        refused = yield defer.gatherResults([c.line() for c in clients[2:]])
        assert refused == ["Servidor: Servidor lleno, intente más tarde."] * 2
        assert [p.peer.port for p in server.factory.waiting] == [clients[1].local]
        clients[0].send("salir\n")
        yield clients[0].line()
        assert (yield clients[1].line()).startswith("Servidor: Conexión establecida")

    @defer.inlineCallbacks
    def test_perIp(self):
        """
        Above --max-per-ip a second client from the same address gets "server full".
        """
        server = startServer("reactor", maxPerIp=1)
        self.addCleanup(server.stopService)
        first = yield connect(server.port)
        yield first.line()
        second = yield connect(server.port)
        assert (yield second.line()) == "Servidor: Servidor lleno, intente más tarde."


@defer.inlineCallbacks
def _until(predicate, seconds=5.0):
    from twisted.internet import task

    for _ in range(int(seconds / 0.02)):
        if predicate():
            return
        yield task.deferLater(reactor, 0.02, lambda: None)
    raise AssertionError("condition not met in time")
