"""
Tests for L{tpreactor.replies}: the reply line, replies in the order of the
messages, the executor's side of the queue, and backpressure; in memory, on
a Clock.
"""

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.replies import MAX_HELD, MAX_QUEUED
from tpreactor.session import OPERATOR
from tpreactor.work import InlineExecutor

from .contract import DATED_REPLY as REPLY
from .memory import Client, ManualExecutor, Server



def reply(elapsed):
    return REPLY + elapsed


class ReplyLineTests(SynchronousTestCase):
    def test_replyCarriesStartDateAndElapsed(self):
        """
        Each reply repeats the connection's date and the monotonic time since
        the welcome, past a day too.
        """
        server = Server()
        client = server.connect()
        client.lines()
        server.clock.advance(63.905295)
        client.send(b"hola\n")
        server.clock.advance(86400 + 3600 - 63.905295)
        client.send(b"otra\n")
        self.assertEqual(client.lines(), [reply("0:01:03.905295"), reply("1 day, 1:00:00")])

    def test_dateIsWhenServingBegan(self):
        """
        A message in a later minute still carries the connection's date.
        """
        server = Server()
        client = server.connect()
        client.lines()
        server.clock.advance(3600)
        client.send(b"x\n")
        self.assertEqual(client.lines(), [reply("1:00:00")])

    def test_englishReply(self):
        """
        The reply is in the server's language.
        """
        server = Server(lang="en")
        client = server.connect()
        client.lines()
        client.send(b"hi\n")
        self.assertEqual(client.lines(), ["Message received on May 13 at 15:15. Time since connection: 0:00:00"])

    def test_sameLineWithWorkElsewhere(self):
        """
        A reply whose work ran in the executor is the same line as one given
        right away.
        """
        executor = ManualExecutor()
        server = Server(executor=executor)
        client = server.connect()
        client.lines()
        server.clock.advance(63.905295)
        client.send(b"hola\n")
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:01:03.905295")])

    def test_registryCountsMessages(self):
        """
        The factory's registry knows each connection's peer, start and count.
        """
        server = Server()
        client = server.connect(port=40000)
        client.send(b"a\nb\n")
        (protocol,) = server.factory.connections
        self.assertEqual((protocol.peer.joined, protocol.messages), ("127.0.0.1:40000", 2))
        self.assertEqual(protocol.started.minute, 15)


class OrderTests(SynchronousTestCase):
    def test_repliesWaitForWork(self):
        """
        With the work elsewhere, replies come when it is done, in order, and
        the goodbye after the last.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\ndos\nsalir\n")
        self.assertEqual(client.lines(), [])
        self.assertEqual(executor.complete(), ["uno", "dos"])
        lines = client.lines()
        self.assertEqual(lines[:2], [reply("0:00:00")] * 2)
        self.assertTrue(lines[2].startswith("Servidor: Conexión finalizada."))

    def test_oneBatchInFlight(self):
        """
        A connection has one batch in flight; later messages wait for it.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.send(b"uno\n")
        client.send(b"dos\n")
        self.assertEqual(len(executor.readyProtocols), 1)
        self.assertEqual(executor.complete(), ["uno", "dos"])

    def test_batchLimit(self):
        """
        A batch holds at most the executor's limit; the rest stay queued.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.send(b"uno\ndos\ntres\n")
        protocol = executor.readyProtocols.pop()
        self.assertEqual(protocol.takeBatch(2), ["uno", "dos"])
        self.assertEqual(protocol.pending, 3)
        protocol.batchDone([None, None])
        self.assertEqual(executor.complete(), ["tres"])
        self.assertEqual(protocol.pending, 0)

    def test_workFailure(self):
        """
        A failing work gives the error line in that reply's place, one log
        line with the cause, and the connection goes on.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"boom\n")
        with capturedLogs() as events:
            executor.complete("ValueError: bad")
        self.assertEqual(client.lines(), ["Servidor: Error interno al procesar el mensaje."])
        self.assertEqual([e["cause"] for e in events], ["ValueError: bad"])
        client.send(b"ok\n")
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00")])

    def test_inlineWorkFailure(self):
        """
        Inline work that raises gives the error line and the connection goes on.
        """

        def fail(text):
            raise RuntimeError("disk on fire")

        client = Server(executor=InlineExecutor(fail)).connect()
        client.lines()
        client.send(b"x\n")
        self.assertEqual(client.lines(), ["Servidor: Error interno al procesar el mensaje."])
        self.assertFalse(client.closing)

    def test_blockingInlineWorkLetsTheReactorTurn(self):
        """
        Work that blocks in the reactor thread (serial mode) runs one
        message per reactor turn, in order, so a burst does not hold up
        signals, the console or timers.
        """
        done = []
        server = Server(executor=InlineExecutor(done.append))
        client = server.connect()
        client.lines()
        client.send(b"uno\ndos\ntres\nsalir\n")
        self.assertEqual(done, ["uno"])
        self.assertEqual([c.getTime() for c in server.clock.getDelayedCalls()], [0])
        server.clock.advance(0)
        self.assertEqual(done, ["uno", "dos", "tres"])
        lines = client.lines()
        self.assertEqual(lines[:3], [reply("0:00:00")] * 3)
        self.assertTrue(lines[3].startswith("Servidor: Conexión finalizada."))

    def test_lostWhileWorking(self):
        """
        A client gone while its work runs: the late result is dropped.
        """
        executor = ManualExecutor()
        server = Server(executor=executor)
        client = server.connect()
        client.lines()
        client.send(b"uno\n")
        client.lose()
        executor.complete()
        self.assertEqual(client.lines(), [])
        self.assertEqual(server.factory.connections, {})


class PauseTests(SynchronousTestCase):
    def test_fullOutputStopsReading(self):
        """
        When the transport says its buffer is full, lines already read wait
        and the transport stops reading; they are answered on resume.
        """
        client = Server().connect()
        client.send(b"a\n")
        self.assertIs(client.transport.producer, client.protocol)
        client.lines()
        client.protocol.pauseProducing()
        self.assertEqual(client.transport.producerState, "paused")
        client.send(b"b\nc\n")
        self.assertEqual(client.lines(), [])
        client.protocol.resumeProducing()
        self.assertEqual(len(client.lines()), 2)
        self.assertEqual(client.transport.producerState, "producing")

    def test_queuedWorkStopsReading(self):
        """
        Past MAX_QUEUED messages waiting for work, the connection is not read;
        it is read again once they are answered.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"x\n" * (MAX_QUEUED * 3))
        self.assertEqual(client.transport.producerState, "paused")
        self.assertEqual(client.protocol.pending, MAX_QUEUED)
        answered = 0
        while executor.readyProtocols:
            answered += len(executor.complete())
        self.assertEqual(answered, MAX_QUEUED * 3)
        self.assertEqual(len(client.lines()), MAX_QUEUED * 3)
        self.assertEqual(client.transport.producerState, "producing")

    def test_bothReasonsMustClear(self):
        """
        Reading resumes only once neither the output nor the queue holds it.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.send(b"x\n" * MAX_QUEUED)
        client.protocol.pauseProducing()
        while executor.readyProtocols:
            executor.complete()
        self.assertEqual(client.transport.producerState, "paused")
        client.protocol.resumeProducing()
        self.assertEqual(client.transport.producerState, "producing")

    def test_silenceFlushWaitsWhilePaused(self):
        """
        While paused, buffered complete lines are not mistaken for a partial one.
        """
        server = Server()
        client = server.connect()
        client.send(b"a\n")
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"b\nc")
        server.clock.advance(5)
        self.assertEqual(client.lines(), [])
        client.protocol.resumeProducing()
        server.clock.advance(1)
        self.assertEqual(len(client.lines()), 2)


class FakeSocket:
    """
    A socket that takes at most C{room} bytes per send (C{None}: all), or
    fails with C{error}.
    """

    def __init__(self, room=None, error=None):
        self.room = room
        self.error = error
        self.sent = b""
        self.sends = 0

    def send(self, data):
        self.sends += 1
        if self.error is not None:
            raise self.error
        taken = data if self.room is None else data[:self.room]
        if self.room is not None:
            self.room -= len(taken)
        self.sent += taken
        return len(taken)


class DirectWriteTests(SynchronousTestCase):
    """
    While the transport holds nothing, lines go straight to the socket: the
    first of a reactor turn at once, the others at the end of the turn; the
    first that do not go whole go to the transport, and so does every line
    after them.
    """

    def served(self, sock):
        server = Server()
        client = directClient(server, sock)
        server.clock.advance(0)  # the welcome's turn is over
        sock.sent, sock.sends = b"", 0
        return server, client

    def test_wholeLines(self):
        """
        A reply the socket takes whole never reaches the transport, and the
        protocol need not be its producer.
        """
        sock = FakeSocket()
        server, client = self.served(sock)
        client.send(b"hola\n")
        server.clock.advance(0)
        self.assertTrue(sock.sent.decode("utf-8").startswith("Mensaje Recibido el"))
        self.assertEqual(client.transport.value(), b"")
        self.assertIsNone(client.transport.producer)

    def test_heldUntilTheTurnEnds(self):
        """
        The first reply of a turn leaves at once; the replies after it leave
        together, in order, in one send, when the turn ends.
        """
        sock = FakeSocket()
        server, client = self.served(sock)
        client.send(b"uno\ndos\ntres\n")
        self.assertEqual((len(sock.sent.decode("utf-8").splitlines()), sock.sends), (1, 1))
        server.clock.advance(0)
        lines = sock.sent.decode("utf-8").splitlines()
        self.assertEqual((len(lines), sock.sends), (3, 2))
        self.assertTrue(all(line.startswith("Mensaje Recibido el") for line in lines))

    def test_manyLinesGoAtOnce(self):
        """
        A connection holds at most L{MAX_HELD} lines; the next one sends them.
        """
        sock = FakeSocket()
        server, client = self.served(sock)
        client.send(b"x\n" * (1 + MAX_HELD))
        self.assertEqual(len(sock.sent.decode("utf-8").splitlines()), 1 + MAX_HELD)
        server.clock.advance(0)
        self.assertEqual(len(sock.sent.decode("utf-8").splitlines()), 1 + MAX_HELD)

    def test_partialSendFallsBack(self):
        """
        The rest of what the socket took in part goes to the transport, the
        protocol becomes its producer, and later lines follow it there.
        """
        sock = FakeSocket()
        server, client = self.served(sock)
        sock.room = 10
        client.send(b"uno\n")
        server.clock.advance(0)
        client.send(b"dos\n")
        server.clock.advance(0)
        lines = (sock.sent + client.transport.value()).decode("utf-8").splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(all(line.startswith("Mensaje Recibido el") for line in lines))
        self.assertEqual(len(sock.sent), 10)
        self.assertIs(client.transport.producer, client.protocol)
        self.assertIsNone(client.protocol._socket)

    def test_sendErrorFallsBack(self):
        """
        A socket that fails (full, or reset) leaves the lines to the
        transport, which finds out what happened.
        """
        sock = FakeSocket()
        server, client = self.served(sock)
        sock.error = BlockingIOError()
        client.send(b"hola\n")
        server.clock.advance(0)
        self.assertTrue(client.transport.value().decode("utf-8").startswith("Mensaje Recibido el"))
        self.assertIs(client.transport.producer, client.protocol)


def directClient(server, sock):
    """
    A client connected to C{server} whose lines go straight to C{sock}, as a
    plain TCP connection's do.
    """
    address = IPv4Address("TCP", "127.0.0.1", 53544)
    protocol = server.factory.buildProtocol(address)
    protocol._socket = sock
    transport = StringTransport(peerAddress=address)
    protocol.makeConnection(transport)
    return Client(protocol, transport)


class HeldWelcomeTests(SynchronousTestCase):
    """
    Of the connections accepted in one reactor turn, whose lines go straight
    to their sockets, the first is welcomed at once and the others at the
    end of the turn, together; a last line goes through the transport after
    what is held, and the transport sends it and closes.
    """

    def test_welcomeAtTheEndOfTheTurn(self):
        """
        The first connection's welcome leaves at once, the second's when the
        reactor's turn ends.
        """
        server = Server()
        first, second = FakeSocket(), FakeSocket()
        directClient(server, first)
        directClient(server, second)
        self.assertTrue(first.sent.decode("utf-8").startswith("Servidor: Conexión establecida el 13 de mayo"))
        self.assertEqual(second.sent, b"")
        server.clock.advance(0)
        self.assertTrue(second.sent.decode("utf-8").startswith("Servidor: Conexión establecida el 13 de mayo"))

    def test_heldWelcomeGoesFirst(self):
        """
        A line written before the turn ends (the operator closing the
        connection) follows the held welcome, and the welcome is not sent
        twice.
        """
        server = Server()
        directClient(server, FakeSocket())
        sock = FakeSocket()
        client = directClient(server, sock)
        client.protocol.closeByServer(OPERATOR)
        server.clock.advance(0)
        self.assertEqual(sock.sent, b"")
        lines = client.lines()
        self.assertTrue(lines[0].startswith("Servidor: Conexión establecida el"))
        self.assertEqual(lines[1:], ["Servidor: El servidor cerró la conexión."])

    def test_lastLineThroughTheTransport(self):
        """
        The goodbye goes to the transport, which is told to close once it is
        written.
        """
        server = Server()
        sock = FakeSocket()
        client = directClient(server, sock)
        server.clock.advance(0)
        client.send(b"salir\n")
        self.assertTrue(client.transport.value().decode("utf-8").startswith("Servidor: Conexión finalizada."))
        self.assertTrue(client.closing)

    def test_closedBeforeTheTurnEnds(self):
        """
        A client gone before the end of the turn is sent nothing it held.
        """
        server = Server()
        directClient(server, FakeSocket())
        sock = FakeSocket()
        client = directClient(server, sock)
        client.lose()
        server.clock.advance(0)
        self.assertEqual(sock.sent, b"")
