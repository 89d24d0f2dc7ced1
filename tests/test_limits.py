"""
Tests for the limits: line length, idle time, connection counts.
"""

from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from .contract import tooLong
from .memory import Server, serialServer

TOO_LONG = tooLong(8)


class LineLengthTests(SynchronousTestCase):
    def test_exactlyTheLimit(self):
        """
        A message of exactly the limit is accepted, with LF or CRLF.
        """
        for size in range(1, 10):
            client = Server(maxLineLength=8).connect()
            client.lines()
            client.sendInChunks(b"12345678\n12345678\r\n", size)
            self.assertEqual(len(client.lines()), 2)
            self.assertFalse(client.closing)

    def test_oneOverTheLimit(self):
        """
        One byte more is refused with one line and the connection closes;
        the messages before it are answered first.
        """
        for size in range(1, 10):
            for data in (b"ok\n123456789\n", b"ok\n123456789\r\n", b"ok\n123456789012345678901234"):
                client = Server(maxLineLength=8).connect()
                client.lines()
                client.sendInChunks(data, size)
                lines = client.lines()
                self.assertEqual(lines[1:], [TOO_LONG], (data, size))
                self.assertTrue(lines[0].startswith("Mensaje Recibido"))
                self.assertTrue(client.closing)

    def test_logLine(self):
        server = Server(maxLineLength=8)
        with capturedLogs() as events:
            client = server.connect(port=4000)
            client.send(b"x" * 20)
            client.lose()
        self.assertIn(
            "Cliente 127.0.0.1:4000 desconectado por el servidor: mensaje demasiado largo.",
            [formatEvent(e) for e in events],
        )


class IdleTests(SynchronousTestCase):
    def test_idleClientIsClosed(self):
        server = Server(idleTimeout=300)
        client = server.connect()
        client.lines()
        server.clock.advance(299)
        client.send(b"x\n")
        server.clock.advance(299)
        self.assertFalse(client.closing)
        server.clock.advance(1)
        self.assertEqual(client.lines()[-1], "Servidor: Conexión cerrada por inactividad.")
        self.assertTrue(client.closing)

    def test_waitingTurnDoesNotCount(self):
        """
        In serial mode the idle clock starts at the welcome.
        """
        server = serialServer(idleTimeout=10)
        first = server.connect()
        second = server.connect()
        server.clock.advance(9)
        first.send(b"x\n")
        server.clock.advance(9)
        first.lose()
        server.clock.advance(9)
        self.assertFalse(second.closing)
        server.clock.advance(1)
        self.assertTrue(second.closing)


class FullTests(SynchronousTestCase):
    def test_maxConnections(self):
        server = Server(maxConnections=2)
        a, b, c = (server.connect() for _ in range(3))
        self.assertEqual(c.lines(), ["Servidor: Servidor lleno, intente más tarde."])
        self.assertTrue(c.closing)
        self.assertFalse(a.closing or b.closing)
        c.lose()
        self.assertEqual(len(server.factory.connections), 2)

    def test_serialCountsWaiting(self):
        server = serialServer(maxConnections=2)
        server.connect()
        server.connect()
        third = server.connect()
        self.assertTrue(third.closing)

    def test_maxPerIp(self):
        server = Server(maxPerIp=1)
        server.connect(host="10.0.0.1")
        other = server.connect(host="10.0.0.2")
        again = server.connect(host="10.0.0.1")
        self.assertFalse(other.closing)
        self.assertTrue(again.closing)
        with capturedLogs() as events:
            again.lose()
        self.assertIn("servidor lleno", formatEvent(events[0]))
