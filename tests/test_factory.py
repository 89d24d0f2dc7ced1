"""
Tests for L{tpreactor.factory}: who is served when, and the registry.
"""

from twisted.trial.unittest import SynchronousTestCase

from .memory import Server, serialServer


class TimeFactoryTests(SynchronousTestCase):
    def test_everyoneAtOnce(self):
        """
        In reactor mode every client is welcomed at once and the port keeps
        accepting.
        """
        server = Server()
        clients = [server.connect() for _ in range(3)]
        self.assertEqual([len(c.lines()) for c in clients], [1, 1, 1])
        self.assertTrue(server.port.accepting)
        self.assertEqual(len(server.factory.connections), 3)

    def test_whenEmpty(self):
        server = Server()
        client = server.connect()
        d = server.factory.whenEmpty()
        self.assertNoResult(d)
        client.lose()
        self.successResultOf(d)


class SerialFactoryTests(SynchronousTestCase):
    def test_oneAtATime(self):
        """
        The second client gets nothing, not even the welcome, until the first
        leaves; then it is welcomed with its own date and elapsed origin.
        """
        server = serialServer()
        first = server.connect()
        second = server.connect()
        self.assertEqual(len(first.lines()), 1)
        self.assertEqual(second.lines(), [])
        self.assertEqual(second.transport.producerState, "paused")
        self.assertFalse(server.port.accepting)
        self.assertEqual(server.factory.waiting, [second.protocol])

        server.clock.advance(120)
        first.send(b"salir\n")
        first.lose()
        (welcome,) = second.lines()
        self.assertIn("15:17 hs", welcome)
        self.assertEqual(second.transport.producerState, "producing")
        self.assertFalse(server.port.accepting)
        second.send(b"x\n")
        self.assertTrue(second.lines()[0].endswith("conexión: 0:00:00"))

    def test_resumesAcceptingWhenIdle(self):
        server = serialServer()
        client = server.connect()
        client.lose()
        self.assertTrue(server.port.accepting)

    def test_waitingClientGoneBeforeItsTurn(self):
        """
        A waiting client that goes away is skipped; the next one is served.
        """
        server = serialServer()
        first, second, third = (server.connect() for _ in range(3))
        second.lose()
        first.lose()
        self.assertEqual(second.lines(), [])
        self.assertEqual(len(third.lines()), 1)
        self.assertIs(server.factory.active, third.protocol)

    def test_order(self):
        """
        Clients are served in the order they connected.
        """
        server = serialServer()
        clients = [server.connect() for _ in range(4)]
        served = []
        for _ in clients:
            (active,) = [c for c in clients if c.protocol is server.factory.active]
            served.append(clients.index(active))
            active.lose()
        self.assertEqual(served, [0, 1, 2, 3])

    def test_heldClientClosedIsNotWelcomedLater(self):
        """
        A held client that got the closing line (a shutdown) and has not
        gone yet is not welcomed when the served one leaves.
        """
        from tpreactor.protocol import SHUTDOWN

        server = serialServer()
        first = server.connect()
        second = server.connect()
        second.protocol.closeByServer(SHUTDOWN)
        self.assertEqual(second.lines(), ["Servidor: El servidor cerró la conexión."])
        first.lose()
        self.assertEqual(second.lines(), [])
        self.assertIsNone(server.factory.active)

    def test_heldClientKickedHasItsConsoleLine(self):
        """
        A held client closed by the operator gets the closing line, no
        welcome, and the console says why it went.
        """
        from twisted.logger import capturedLogs

        from tpreactor.protocol import OPERATOR

        server = serialServer()
        server.connect()
        second = server.connect()
        with capturedLogs() as events:
            second.protocol.closeByServer(OPERATOR)
            second.lose()
        self.assertEqual(second.lines(), ["Servidor: El servidor cerró la conexión."])
        self.assertEqual([e.get("reason") for e in events], ["orden del operador"])

    def test_clientThatNeverReadsIsCutOff(self):
        """
        A served client that said salir but never reads its goodbye (the
        close cannot complete) is cut off after L{CLOSE_TIMEOUT_SECONDS},
        and the next one gets its turn.
        """
        from tpreactor.protocol import CLOSE_TIMEOUT_SECONDS

        server = serialServer()
        first, second = server.connect(), server.connect()
        aborted = []
        first.transport.abortConnection = lambda: (aborted.append(True), first.lose())
        first.send(b"salir\n")
        self.assertTrue(first.closing)
        server.clock.advance(CLOSE_TIMEOUT_SECONDS - 0.1)
        self.assertEqual((aborted, second.lines()), ([], []))
        server.clock.advance(0.1)
        self.assertEqual(aborted, [True])
        self.assertEqual(len(second.lines()), 1)

    def test_noCutOffAfterAnOrdinaryClose(self):
        """
        A connection that closed by itself leaves no timer behind.
        """
        server = serialServer()
        client = server.connect()
        client.send(b"salir\n")
        client.lose()
        self.assertEqual([c for c in server.clock.getDelayedCalls() if c.active()], [])


class SendSoonTests(SynchronousTestCase):
    def test_oneTurnOneTimer(self):
        """
        The first connection to send in a reactor turn sends at once; the
        others hold their lines, sent in order on one timer at the end of
        the turn, and the next turn starts afresh.
        """
        server = Server()
        sent = []

        class Held:
            def __init__(self, name):
                self.name = name

            def sendHeld(self):
                sent.append(self.name)

        holds = [server.factory.sendSoon(Held(name)) for name in ("a", "b", "c")]
        self.assertEqual(holds, [False, True, True])
        self.assertEqual((len(server.clock.getDelayedCalls()), sent), (1, []))
        server.clock.advance(0)
        self.assertEqual((server.clock.getDelayedCalls(), sent), ([], ["b", "c"]))
        self.assertFalse(server.factory.sendSoon(Held("d")))
