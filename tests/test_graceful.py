"""
Tests for L{tpreactor.shutdown.graceful}, in memory: the graceful shutdown
and its grace period (a TimeServer on a Clock), the hurry, and the pool's
share of the grace period.
"""

from twisted.application.service import Service
from twisted.internet import defer
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.service import TimeServer
from tpreactor.shutdown.graceful import ABORT_AFTER_SECONDS

from .contract import REPLY
from .memory import Server, serialServer
from .contract import CLOSED
from .shutdownfakes import FakeListener, HeldExecutor, messages, timeServer



class GracefulShutdownTests(SynchronousTestCase):
    def setUp(self):
        self.executor = HeldExecutor()
        self.memory = Server(executor=self.executor, grace=10.0)
        self.server, self.listener = timeServer(self.memory)

    def test_answersThenCloses(self):
        """
        Stopping answers what was received, then sends the closing line; the
        listeners stop first, and the exit status is 0.
        """
        client = self.memory.connect()
        client.lines()
        client.send(b"uno\ndos\n")
        with capturedLogs() as events:
            d = self.server.stopService()
            self.assertEqual(self.listener.stopped, 1)
            self.assertEqual(client.lines(), [])
            self.executor.finishAll()
            lines = client.lines()
            self.assertEqual(len(lines), 3)
            self.assertTrue(all(line.startswith(REPLY) for line in lines[:2]))
            self.assertEqual(lines[2], CLOSED)
            self.assertTrue(client.closing)
            client.lose()
            self.successResultOf(d)
        self.assertEqual(self.server.exitStatus, 0)
        text = messages(events)
        self.assertIn("mensajes sin responder: 2", text[0])
        self.assertIn("Conexiones abiertas: 1", text[0])
        self.assertTrue(any("mensajes respondidos: 2; conexiones cerradas: 1; cortadas: 0" in t for t in text))
        self.assertEqual(text[-2:], ["Todas las conexiones activas han sido cerradas.", "Socket del servidor cerrado."])

    def test_graceCut(self):
        """
        After the grace period a client still waiting for replies gets the
        closing line without them, is named, and the exit status is 1.
        """
        client = self.memory.connect()
        client.lines()
        client.send(b"lento\n")
        with capturedLogs() as events:
            d = self.server.stopService()
            self.memory.clock.advance(10)
            self.assertEqual(client.lines(), [CLOSED])
            client.lose()
            self.successResultOf(d)
        self.assertEqual(self.server.cut, ["127.0.0.1:53544"])
        self.assertEqual(self.server.exitStatus, 1)
        self.assertTrue(any("Tiempo de gracia agotado (10 s)" in t and "127.0.0.1:53544" in t
                            for t in messages(events)))

    def test_abortsWhoDoesNotRead(self):
        """
        A client that does not take its closing line is aborted
        L{ABORT_AFTER_SECONDS} after the grace period.
        """
        client = self.memory.connect()
        client.send(b"lento\n")
        d = self.server.stopService()
        self.memory.clock.advance(10)
        self.assertNoResult(d)
        aborted = []
        client.transport.abortConnection = lambda: (aborted.append(True), client.lose())
        self.memory.clock.advance(ABORT_AFTER_SECONDS)
        self.assertEqual(aborted, [True])
        self.successResultOf(d)

    def test_abortedWithRepliesUnreadIsCut(self):
        """
        A client with every reply written but not reading them is aborted
        after the grace period; what it was sent is lost, so it is named
        and the exit status is 1.
        """
        client = self.memory.connect()
        client.send(b"rapido\n")
        self.executor.finishAll()
        d = self.server.stopService()
        self.assertTrue(client.closing)
        self.memory.clock.advance(10)
        client.transport.abortConnection = client.lose
        self.memory.clock.advance(ABORT_AFTER_SECONDS)
        self.successResultOf(d)
        self.assertEqual(self.server.cut, ["127.0.0.1:53544"])
        self.assertEqual(self.server.exitStatus, 1)

    def test_hurry(self):
        """
        L{TimeServer.hurry} during the grace period closes at once, names the
        clients cut and makes the exit status 1.
        """
        client = self.memory.connect()
        client.lines()
        client.send(b"lento\n")
        d = self.server.stopService()
        self.assertTrue(self.server.hurry())
        self.assertEqual(client.lines(), [CLOSED])
        client.lose()
        self.successResultOf(d)
        self.assertEqual(self.server.cut, ["127.0.0.1:53544"])
        self.assertTrue(self.server.hurried)
        self.assertEqual(self.server.exitStatus, 1)

    def test_hurryTwiceAborts(self):
        """
        A second hurry does not wait for the closing line to be read.
        """
        client = self.memory.connect()
        client.send(b"lento\n")
        d = self.server.stopService()
        self.server.hurry()
        aborted = []
        client.transport.abortConnection = lambda: (aborted.append(True), client.lose())
        self.server.hurry()
        self.assertEqual(aborted, [True])
        self.successResultOf(d)

    def test_nothingToHurry(self):
        """
        Hurrying a shutdown with no connection left changes no exit status.
        """
        d = self.server.stopService()
        self.successResultOf(d)
        self.assertFalse(self.server.hurry())
        self.assertEqual(self.server.exitStatus, 0)

    def test_waitingClientsGetNoWelcome(self):
        """
        In serial mode a client held for its turn gets the closing line and
        no welcome.
        """
        memory = serialServer()
        server, _ = timeServer(memory)
        served, held = memory.connect(), memory.connect()
        self.assertEqual(held.lines(), [])
        d = server.stopService()
        self.assertEqual(held.lines(), [CLOSED])
        held.lose()
        served.lose()
        self.successResultOf(d)
        self.assertEqual(held.lines(), [])

    def test_serialSummaryCountsEveryoneClosed(self):
        """
        In serial mode the summary counts every connection the shutdown
        closed: the one served, the one held for its turn (gone before the
        connections are closed) and one turned away from the backlog.
        """
        memory = serialServer()
        listener = SlowListener()
        server = TimeServer(memory.factory, None, [listener], memory.clock, "reactor")
        served, held = memory.connect(), memory.connect()
        with capturedLogs() as events:
            d = server.stopService()
            self.assertEqual(held.lines(), [CLOSED])
            held.lose()
            turnedAway = memory.connect()  # accepted from the backlog
            self.assertEqual(turnedAway.lines(), [CLOSED])
            turnedAway.lose()
            listener.stopped.callback(None)
            self.assertEqual(served.lines()[-1], CLOSED)
            served.lose()
            self.successResultOf(d)
        text = messages(events)
        self.assertIn("Conexiones abiertas: 2 (en espera: 1)", text[0])
        self.assertTrue(any("conexiones cerradas: 3;" in t for t in text), text)

    def test_stopsOtherChildrenLast(self):
        """
        Children other than the listeners and the pool (the operator's
        console) are stopped after the connections are closed.
        """
        order = []

        class Child(Service):
            def stopService(self):
                order.append("child")

        Child().setServiceParent(self.server)
        client = self.memory.connect()
        self.server.stopService()
        order.append("closing")
        client.lose()
        self.assertEqual(order, ["closing", "child"])


class SlowListener(FakeListener):
    """
    A listening service that takes until the test says to stop.
    """

    def stopService(self):
        FakeListener.stopService(self)
        self.stopped = defer.Deferred()
        return self.stopped


class StuckPool(Service):
    """
    A pool whose work never ends: it does not stop until it is abandoned.
    """

    def __init__(self):
        self.stopping = defer.Deferred()
        self.abandoned = 0

    def stopService(self):
        Service.stopService(self)
        return self.stopping

    def abandon(self):
        self.abandoned += 1


class PoolStopTests(SynchronousTestCase):
    def setUp(self):
        self.memory = Server(executor=HeldExecutor(), grace=5.0)
        self.pool = StuckPool()
        self.server = TimeServer(self.memory.factory, self.pool, [FakeListener()], self.memory.clock, "reactor")

    def test_poolGetsWhatIsLeftOfTheGrace(self):
        """
        Work still running for clients that are gone gets the rest of the
        grace period, then is abandoned; no client was cut, so the exit
        status stays 0.
        """
        with capturedLogs() as events:
            d = self.server.stopService()
            self.memory.clock.advance(4.9)
            self.assertNoResult(d)
            self.memory.clock.advance(0.1)
            self.successResultOf(d)
        self.assertEqual(self.pool.abandoned, 1)
        self.assertTrue(self.server.abandoned)
        self.assertEqual(self.server.exitStatus, 0)
        self.assertTrue(any("se abandona el trabajo" in t for t in messages(events)))

    def test_poolThatStopsIsNotAbandoned(self):
        """
        A pool that stops within the grace period is not abandoned.
        """
        d = self.server.stopService()
        self.pool.stopping.callback(None)
        self.successResultOf(d)
        self.assertEqual(self.pool.abandoned, 0)

    def test_poolThatFailsToStopIsOneLine(self):
        """
        A pool whose stop fails is one warning with the cause, not a traceback.
        """
        with capturedLogs() as events:
            d = self.server.stopService()
            self.pool.stopping.errback(RuntimeError("stuck"))
            self.successResultOf(d)
        self.assertTrue(any("falló al detenerse: RuntimeError: stuck" in t for t in messages(events)))
        self.assertEqual(self.flushLoggedErrors(), [])
