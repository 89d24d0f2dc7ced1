"""
A C{haproxy:} endpoint over real loopback sockets, in both modes: clients
are admitted, logged and limited by the address of their PROXY header; a
health check and a bad header close the connection without a traceback.
"""

from twisted.internet import defer, reactor
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import TestCase

from .contract import FULL, REPLY, WELCOME
from .test_proxy_header import v2
from .test_proxy_wrapper import v1
from .twistedclient import connect, startServer

ENDPOINT = "haproxy:tcp:0:interface=127.0.0.1"


def logged(events):
    """
    The server's console lines (not Twisted's own about ports and factories).
    """
    return [formatEvent(e) for e in events if e.get("log_namespace") == "tpreactor"]


class ProxiedLiveTests(TestCase):
    def test_perIpReactor(self):
        """
        In reactor mode two hosts behind one proxy are both served under
        --max-per-ip 1, and a second client of one of them is refused.
        """
        return self._perIp("reactor")

    def test_perIpSerial(self):
        """
        In serial mode two hosts behind one proxy are both admitted under
        --max-per-ip 1 (one served, one held), and a second client of one of
        them is refused.
        """
        return self._perIp("serial")

    @defer.inlineCallbacks
    def _perIp(self, mode):
        with capturedLogs() as events:
            server = startServer(mode, endpoint=ENDPOINT, maxPerIp=1)
            self.addCleanup(server.stopService)
            first, second, third = yield defer.gatherResults([connect(server.port) for _ in range(3)])
            first.send(v1(port=41000) + b"hola\n")
            assert (yield first.line()).startswith(WELCOME)
            assert (yield first.line()).startswith(REPLY)
            second.send(v2(sourcePort=41002))  # 203.0.113.7 too, in v2
            assert (yield second.line()) == FULL
            yield second.closed.addTimeout(5, reactor)
            third.send(v1(host="198.51.100.9", port=41001))
            if mode == "reactor":
                assert (yield third.line()).startswith(WELCOME)
            else:
                first.send("salir\n")
                yield first.line()
                assert (yield third.line()).startswith(WELCOME)
        lines = logged(events)
        assert "Conexión establecida con IP: 203.0.113.7 y Puerto: 41000" in lines, lines
        assert "Mensaje recibido de 203.0.113.7:41000: hola" in lines, lines
        assert "Cliente 203.0.113.7:41002 desconectado por el servidor: servidor lleno." in lines, lines
        assert "Conexión establecida con IP: 198.51.100.9 y Puerto: 41001" in lines, lines
        assert not [line for line in lines if "127.0.0.1" in line and "escuchando" not in line], lines

    @defer.inlineCallbacks
    def test_malformedPort(self):
        """
        A v1 header whose port is no number gets one console line and the
        close, and the server goes on serving.
        """
        with capturedLogs() as events:
            server = startServer("reactor", endpoint=ENDPOINT)
            self.addCleanup(server.stopService)
            bad = yield connect(server.port)
            bad.send(b"PROXY TCP4 203.0.113.7 192.0.2.1 abc 6667\r\nhola\n")
            yield bad.closed.addTimeout(5, reactor)
            good = yield connect(server.port)
            good.send(v1())
            assert (yield good.line()).startswith(WELCOME)
        refusals = [line for line in logged(events) if "cerrada" in line]
        assert refusals == [f"Conexión de 127.0.0.1:{bad.local} cerrada: cabecera PROXY mal formada."], refusals

    @defer.inlineCallbacks
    def test_healthCheck(self):
        """
        A v2 LOCAL header is closed with nothing said, on the wire or the console.
        """
        with capturedLogs() as events:
            server = startServer("reactor", endpoint=ENDPOINT)
            self.addCleanup(server.stopService)
            check = yield connect(server.port)
            check.send(v2(command=0x0, family=0x00, body=b""))
            yield check.closed.addTimeout(5, reactor)
        assert check.queue.pending == [], check.queue.pending
        assert [line for line in logged(events) if "escuchando" not in line] == []
