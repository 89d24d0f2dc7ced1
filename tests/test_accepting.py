"""
Tests for L{tpreactor.accepting} and the factory's use of it: every
connection open is counted, refusals included, each accept loop is held to
the room the open-file limit leaves, the ports stop accepting when there is
none, and a serial client's turn and the open-file limit never undo each
other's pause.
"""

from twisted.internet.interfaces import IPushProducer
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase
from zope.interface import implementer

from tpreactor.accepting import DESCRIPTORS, TURN, Accepting
from tpreactor.factory import SerialFactory

from .contract import FULL, WELCOME
from .memory import FakePort, Server



@implementer(IPushProducer)
class AcceptLoopPort(FakePort):
    """
    A listening port that accepts as Twisted's C{tcp.Port.doRead} does: up
    to C{numberAccepts} clients of its backlog per loop, paused or not in
    the middle, then C{numberAccepts} grows or shrinks with what it took.

    @ivar mostOpen: the most connections ever open at once.
    """

    def __init__(self, server, backlog):
        FakePort.__init__(self)
        self.server = server
        self.backlog = backlog
        self.numberAccepts = 100
        self.clients = []
        self.mostOpen = 0

    def doRead(self):
        accepted = 0
        for accepted in range(1, self.numberAccepts + 1):
            if not self.backlog:
                accepted -= 1
                break
            self.backlog -= 1
            self.clients.append(self.server.connect())
            self.mostOpen = max(self.mostOpen, self.server.factory.accepting.open)
        if accepted == self.numberAccepts:
            self.numberAccepts += 20
        else:
            self.numberAccepts = max(1, accepted)


def listenWithBacklog(backlog, **settings):
    """
    A server whose one port has C{backlog} clients waiting to be accepted.
    """
    server = Server(**settings)
    server.factory.removePort(server.port)
    port = AcceptLoopPort(server, backlog)
    server.factory.addPort(port)
    return server, port


def takenPerLoop(port):
    """
    How many connections each accept loop of C{port} took, until its backlog is empty.
    """
    taken = []
    while port.backlog:
        before = len(port.clients)
        port.doRead()
        taken.append(len(port.clients) - before)
    return taken


def closeRefused(clients):
    """
    The refused clients' closing lines are written: their connections close.
    """
    for client in clients:
        if client.closing and not client.protocol.closed:
            client.lose()


class AcceptingTests(SynchronousTestCase):
    def test_pausedAtTheLimit(self):
        """
        The ports stop accepting once as many connections are open as the
        limit allows, and accept again when one closes.
        """
        accepting, port = Accepting(2), FakePort()
        accepting.add(port)
        accepting.opened()
        self.assertTrue(port.accepting)
        accepting.opened()
        self.assertFalse(port.accepting)
        self.assertEqual(accepting.room, 0)
        accepting.closed()
        self.assertTrue(port.accepting)
        self.assertEqual(accepting.room, 1)

    def test_noLimit(self):
        """
        With no limit (0) the ports never stop for descriptors and the room is unbounded.
        """
        accepting, port = Accepting(0), FakePort()
        accepting.add(port)
        for _ in range(1000):
            accepting.opened()
        self.assertTrue(port.accepting)
        self.assertIsNone(accepting.room)

    def test_reasonsDoNotUndoEachOther(self):
        """
        Paused for a turn and for descriptors, the ports accept again only
        once both are gone, in either order.
        """
        for first, second in ((TURN, DESCRIPTORS), (DESCRIPTORS, TURN)):
            accepting, port = Accepting(0), FakePort()
            accepting.add(port)
            accepting.pause(TURN)
            accepting.pause(DESCRIPTORS)
            accepting.resume(first)
            self.assertFalse(port.accepting)
            self.assertTrue(accepting.paused)
            accepting.resume(second)
            self.assertTrue(port.accepting)
            self.assertFalse(accepting.paused)

    def test_resumingAReasonNotGiven(self):
        """
        Resuming for a reason the ports are not paused for leaves them paused.
        """
        accepting, port = Accepting(0), FakePort()
        accepting.add(port)
        accepting.pause(DESCRIPTORS)
        accepting.resume(TURN)
        self.assertFalse(port.accepting)

    def test_portAddedWhilePaused(self):
        """
        A port added while the others are paused starts paused.
        """
        accepting, port = Accepting(0), FakePort()
        accepting.pause(TURN)
        accepting.add(port)
        self.assertFalse(port.accepting)

    def test_acceptLoopHeldToTheRoom(self):
        """
        Each accept loop takes at most the room left, however many the port
        would take at once; with no room it takes none.
        """
        server, port = listenWithBacklog(50, maxOpen=10)
        for _ in range(4):
            server.connect()
        port.doRead()
        self.assertEqual((len(port.clients), port.backlog), (6, 44))
        port.doRead()
        self.assertEqual((len(port.clients), port.backlog), (6, 44))

    def test_removedPortLoopsAsBefore(self):
        """
        A port taken off is no longer held to the room: its loop is the one
        it had, its class's or another wrapper's.
        """
        server, port = listenWithBacklog(50)
        before = port.doRead
        accepting = Accepting(10)
        accepting.add(port)
        accepting.remove(port)
        self.assertEqual(accepting.ports, [])
        self.assertIs(port.doRead, before)
        server.factory.removePort(port)
        self.assertNotIn("doRead", vars(port))

    def test_fewPerWake(self):
        """
        With perWake, each accept loop takes that many of a queued burst,
        whatever Twisted's own count grew or fell to, and within the room.
        """
        server, port = listenWithBacklog(50)
        accepting = server.factory.accepting
        accepting.remove(port)
        accepting.perWake = 4
        accepting.add(port)
        port.numberAccepts = 100
        self.assertEqual(takenPerLoop(port), [4] * 12 + [2])
        # Twisted's count fell to 2 with the last loop; the budget does not.
        port.backlog = 10
        self.assertEqual(takenPerLoop(port), [4, 4, 2])
        crowded, tight = listenWithBacklog(50, maxOpen=3)
        crowded.factory.accepting.perWake = 4
        tight.doRead()
        self.assertEqual(len(tight.clients), 3)


class FactoryCountsTests(SynchronousTestCase):
    def test_refusalsCount(self):
        """
        Refused clients hold a descriptor until their closing line is
        written: they count as open until their connection closes.
        """
        server = Server(maxOpen=4, maxConnections=1)
        served = server.connect()
        refused = [server.connect() for _ in range(2)]
        self.assertEqual([c.lines() for c in refused], [[FULL], [FULL]])
        self.assertEqual(server.factory.accepting.open, 3)
        closeRefused(refused)
        self.assertEqual(server.factory.accepting.open, 1)
        served.lose()
        self.assertEqual(server.factory.accepting.open, 0)

    def test_burstEveryoneAnswered(self):
        """
        A burst far past the limit: every client is welcomed or told the
        server is full, never more connections are open than the limit
        allows, and the ports accept again as refusals close.
        """
        server, port = listenWithBacklog(200, maxOpen=36)
        rounds = 0
        while port.backlog and rounds < 100:
            rounds += 1
            if port.accepting:
                port.doRead()
            closeRefused(port.clients)
        self.assertEqual(port.backlog, 0)
        lines = [c.lines() for c in port.clients]
        self.assertEqual([len(ls) == 1 and ls[0].startswith(WELCOME) for ls in lines[:20]], [True] * 20)
        self.assertEqual(lines[20:], [[FULL]] * 180)
        self.assertLessEqual(port.mostOpen, 36)
        self.assertEqual(server.factory.accepting.open, 20)
        self.assertTrue(port.accepting)  # room is kept to refuse the next ones

    def test_maxConnectionsKeepsTheReserve(self):
        """
        C{--max-connections} is held to what the open-file limit allows with
        room kept for refusals; 0 (no limit of its own) is that too.
        """
        self.assertEqual(Server(maxOpen=36, maxConnections=500).factory.maxConnections, 20)
        self.assertEqual(Server(maxOpen=36, maxConnections=0).factory.maxConnections, 20)
        self.assertEqual(Server(maxOpen=36, maxConnections=7).factory.maxConnections, 7)
        self.assertEqual(Server(maxOpen=0, maxConnections=7).factory.maxConnections, 7)
        self.assertEqual(Server(maxOpen=0, maxConnections=0).factory.maxConnections, 0)

    def test_warnsWhenTheLimitServesFewer(self):
        """
        Listening with a C{--max-connections} the open-file limit cannot
        serve logs a warning, in the server's language, saying how many are
        served.
        """
        for lang, text in (
            ("es", "Atención: el límite de archivos abiertos (ulimit -n) no alcanza para --max-connections 500: "
                   "se atienden a lo sumo 20 clientes a la vez."),
            ("en", "Warning: the open-file limit (ulimit -n) is too low for --max-connections 500: "
                   "at most 20 clients are served at once."),
        ):
            with capturedLogs() as events:
                Server(maxOpen=36, maxConnections=500, lang=lang).factory.doStart()
            self.assertEqual([formatEvent(e) for e in events], [text])

    def test_noWarningWithinTheLimit(self):
        """
        A C{--max-connections} within the limit, or none, logs nothing.
        """
        with capturedLogs() as events:
            Server(maxOpen=36, maxConnections=20).factory.doStart()
            Server(maxOpen=36, maxConnections=0).factory.doStart()
        self.assertEqual(events, [])

    def test_serialTurnAndDescriptors(self):
        """
        In serial mode, refusals closing do not resume accepting while a
        client is served or held for its turn; the last one leaving does.
        """
        server = Server(factoryClass=SerialFactory, maxOpen=4, maxConnections=2)
        served, held = server.connect(), server.connect()
        refused = [server.connect() for _ in range(2)]  # one accept loop's tail
        self.assertEqual([c.lines() for c in refused], [[FULL], [FULL]])
        self.assertEqual(server.factory.accepting.open, 4)
        self.assertFalse(server.port.accepting)
        closeRefused(refused)
        self.assertFalse(server.port.accepting)
        served.lose()
        self.assertFalse(server.port.accepting)
        held.lose()
        self.assertTrue(server.port.accepting)


class GuestTests(SynchronousTestCase):
    def test_guestWithinTheReserve(self):
        """
        A guest (a status connection) takes a descriptor only while the reserve for refusing line clients stays free, and gives it back when it leaves.
        """
        accepting = Accepting(100)
        for _ in range(100 - accepting.reserve - 1):
            accepting.opened()
        self.assertTrue(accepting.admitGuest())
        self.assertFalse(accepting.admitGuest())
        self.assertEqual((accepting.guests, accepting.room), (1, accepting.reserve))
        accepting.guestLeft()
        self.assertEqual((accepting.guests, accepting.room), (0, accepting.reserve + 1))

    def test_guestsWithNoLimit(self):
        """
        With no open-file limit, guests are always admitted.
        """
        accepting = Accepting(0)
        self.assertTrue(all(accepting.admitGuest() for _ in range(100)))

    def test_lineClientsRefusedNotHeld(self):
        """
        When guests hold descriptors, a line client beyond what the rest allows is told the server is full at once (it does not wait in the backlog for a descriptor).
        """
        server = Server(maxOpen=40)
        accepting = server.factory.accepting
        served = server.factory.maxConnections
        for _ in range(10):
            self.assertTrue(accepting.admitGuest())
        clients = [server.connect() for _ in range(served - 10)]
        self.assertTrue(all(c.lines()[0].startswith(WELCOME) for c in clients))
        refused = server.connect()
        self.assertEqual(refused.lines(), [FULL])
        self.assertTrue(server.port.accepting)
