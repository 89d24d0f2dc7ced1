"""
Tests for L{tpreactor.protocol}: framing and replies, in memory, on a Clock.
"""

from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.protocol import CLOSE_TIMEOUT_SECONDS, FLUSH_SECONDS, OPERATOR, SHUTDOWN
from tpreactor.work import InlineExecutor

from .memory import Server

WELCOME = "Servidor: Conexión establecida el 13 de mayo a las 15:15 hs. Puedes enviar mensajes al servidor."
REPLY = "Mensaje Recibido el 13 de mayo a las 15:15 hs. Tiempo transcurrido desde la conexión: "


def reply(elapsed):
    return REPLY + elapsed


class ManualExecutor:
    """
    An executor whose batches complete when the test says so.
    """

    inline = False
    trivial = False

    def __init__(self):
        self.readyProtocols = []

    def ready(self, protocol):
        self.readyProtocols.append(protocol)

    def complete(self, outcome=None):
        protocol = self.readyProtocols.pop(0)
        batch = protocol.takeBatch(64)
        protocol.batchDone([outcome] * len(batch))
        return batch


class WelcomeAndReplyTests(SynchronousTestCase):
    def test_welcome(self):
        """
        The client is welcomed at once with the date it connected.
        """
        client = Server().connect()
        self.assertEqual(client.lines(), [WELCOME])

    def test_welcomeEnglish(self):
        client = Server(lang="en").connect()
        self.assertEqual(
            client.lines(),
            ["Server: Connection established on May 13 at 15:15. You can send messages to the server."],
        )

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
        server = Server(lang="en")
        client = server.connect()
        client.lines()
        client.send(b"hi\n")
        self.assertEqual(client.lines(), ["Message received on May 13 at 15:15. Time since connection: 0:00:00"])

    def test_blankLineIsAMessage(self):
        """
        An empty line gets its reply like any other message.
        """
        client = Server().connect()
        client.lines()
        client.send(b"\n\r\n")
        self.assertEqual(client.lines(), [reply("0:00:00")] * 2)

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


class FramingTests(SynchronousTestCase):
    def assertMessages(self, data, expected, size):
        server = Server()
        client = server.connect()
        client.lines()
        with capturedLogs() as events:
            client.sendInChunks(data, size)
            server.clock.advance(FLUSH_SECONDS)
        received = [e["text"] for e in events if "text" in e]
        self.assertEqual(received, expected, f"chunk size {size}")
        self.assertEqual(len(client.lines()), len(expected))

    def test_lfAndCrlfInEveryChunkSize(self):
        """
        LF and CRLF end a message, whatever the packet boundaries.
        """
        for size in range(1, 10):
            self.assertMessages(b"uno\r\ndos\ntres\r\n", ["uno", "dos", "tres"], size)

    def test_telnetBytesInEveryChunkSize(self):
        """
        Telnet negotiation is not part of any message, even split across packets.
        """
        data = b"\xff\xfb\x01\xff\xfd\x03ho\xff\xfb\x18la\r\n"
        for size in range(1, 10):
            self.assertMessages(data, ["hola"], size)

    def test_unterminatedTextAfterSilence(self):
        """
        Text with no terminator followed by a short silence is a message:
        the course-style client sends C{hola} and waits.
        """
        for size in range(1, 6):
            self.assertMessages(b"hola", ["hola"], size)

    def test_noReplyBeforeTheSilence(self):
        server = Server()
        client = server.connect()
        client.lines()
        client.send(b"hol")
        server.clock.advance(FLUSH_SECONDS / 2)
        client.send(b"a")
        server.clock.advance(FLUSH_SECONDS * 0.9)
        self.assertEqual(client.lines(), [])
        server.clock.advance(FLUSH_SECONDS * 0.1)
        self.assertEqual(client.lines(), [reply("0:00:00.450000")])

    def test_onlyTelnetBytesAreNoMessage(self):
        """
        Unterminated text that is empty once telnet bytes are removed is no
        message at all.
        """
        self.assertMessages(b"\xff\xfd\x03\xff\xfb\x01", [], 3)

    def test_invalidUtf8IsReplaced(self):
        self.assertMessages(b"caf\xe9\n", ["caf\ufffd"], 2)

    def test_logTextIsEscaped(self):
        """
        Terminal escapes sent by a client reach the log escaped.
        """
        self.assertMessages(b"\x1b[2Jhi\x07\n", ["\\x1b[2Jhi\\x07"], 4)


class SalirTests(SynchronousTestCase):
    def test_salirAnyCase(self):
        """
        C{salir} in any letter case, with spaces around, ends the session
        with the goodbye line.
        """
        for word in (b"salir", b"SALIR", b"  Salir \r"):
            server = Server()
            client = server.connect()
            client.lines()
            server.clock.advance(2.5)
            client.send(word + b"\n")
            self.assertEqual(
                client.lines(), ["Servidor: Conexión finalizada. Tiempo total de conexión: 0:00:02.500000"]
            )
            self.assertTrue(client.closing)

    def test_linesAfterSalirAreIgnored(self):
        client = Server().connect()
        client.lines()
        client.send(b"a\nsalir\nb\n")
        self.assertEqual(len(client.lines()), 2)

    def test_exitQuitInEnglish(self):
        for word in (b"exit", b"QUIT", b"salir"):
            client = Server(lang="en").connect()
            client.lines()
            client.send(word + b"\n")
            self.assertTrue(client.lines()[0].startswith("Server: Connection ended."))

    def test_exitIsAMessageInSpanish(self):
        client = Server().connect()
        client.lines()
        client.send(b"exit\n")
        self.assertFalse(client.closing)

    def test_salirUnterminated(self):
        client = Server().connect()
        client.send(b"salir")
        client.protocol.readConnectionLost()
        self.assertTrue(client.lines()[-1].startswith("Servidor: Conexión finalizada."))

    def test_logLines(self):
        """
        The console says the client closed the connection after salir, and
        that it went away otherwise.
        """
        server = Server()
        with capturedLogs() as events:
            quitter = server.connect(port=1111)
            quitter.send(b"salir\n")
            quitter.lose()
            leaver = server.connect(port=2222)
            leaver.lose()
        from twisted.logger import formatEvent

        lines = [formatEvent(e) for e in events]
        self.assertIn("Conexión establecida con IP: 127.0.0.1 y Puerto: 1111", lines)
        self.assertIn("Cliente 127.0.0.1:1111 ha cerrado la conexión.", lines)
        self.assertIn("Cliente 127.0.0.1:2222 se desconectó.", lines)
        self.assertEqual(server.factory.connections, {})


class HalfCloseTests(SynchronousTestCase):
    def test_pendingTextAtHalfClose(self):
        """
        Text still buffered when the client shuts down its side is its last
        message: answered, then the connection closes.
        """
        client = Server().connect()
        client.lines()
        client.send(b"uno\ndos")
        client.protocol.readConnectionLost()
        self.assertEqual(client.lines(), [reply("0:00:00")] * 2)
        self.assertTrue(client.closing)

    def test_halfCloseWaitsForPendingWork(self):
        """
        A half-closed client still gets the replies whose work is running.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.readConnectionLost()
        self.assertFalse(client.closing)
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00")])
        self.assertTrue(client.closing)

    def test_salirThenHalfClose(self):
        client = Server().connect()
        client.lines()
        client.send(b"salir\n")
        client.protocol.readConnectionLost()
        self.assertEqual(len(client.lines()), 1)


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


class ServerCloseTests(SynchronousTestCase):
    def test_shutdownAfterPendingReplies(self):
        """
        The closing line comes after every message received is answered.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.closeByServer(SHUTDOWN)
        client.send(b"tarde\n")
        self.assertEqual(client.lines(), [])
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00"), "Servidor: El servidor cerró la conexión."])
        self.assertTrue(client.closing)

    def test_atOnceDropsPending(self):
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        self.assertEqual(client.protocol.pending, 1)
        client.protocol.closeByServer(SHUTDOWN, atOnce=True)
        self.assertEqual(client.lines(), ["Servidor: El servidor cerró la conexión."])

    def test_lateResultAfterAtOnceClose(self):
        """
        Work that finishes after the closing line was sent writes nothing.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        protocol = client.protocol
        batch = protocol.takeBatch(64)
        protocol.closeByServer(SHUTDOWN, atOnce=True)
        protocol.batchDone([None] * len(batch))
        self.assertEqual(client.lines(), ["Servidor: El servidor cerró la conexión."])

    def test_halfClosedClientGetsTheClosingLine(self):
        """
        A client that stopped sending while its replies were still on their
        way gets them, then the closing line, when the server closes.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.readConnectionLost()
        client.protocol.closeByServer(SHUTDOWN)
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00"), "Servidor: El servidor cerró la conexión."])
        self.assertTrue(client.closing)

    def test_linesReadWhilePausedAreAnswered(self):
        """
        Lines the server read while it was not framing (the client's replies
        were not being read) are messages received: once the client reads
        again they are answered, unterminated text included, then the
        closing line; what it sends after the close is not.
        """
        for size in range(1, 10):
            client = Server().connect()
            client.lines()
            client.protocol.pauseProducing()
            client.sendInChunks(b"uno\ndos\r\ntres", size)
            client.protocol.closeByServer(SHUTDOWN)
            self.assertEqual(client.protocol.pending, 1)
            client.send(b"tarde\n")
            self.assertEqual(client.lines(), [])
            client.protocol.resumeProducing()
            self.assertEqual(client.lines(), [reply("0:00:00")] * 3 + ["Servidor: El servidor cerró la conexión."])
            self.assertTrue(client.closing)

    def test_closingAPausedFloodKeepsItsBounds(self):
        """
        Closing a connection paused on a flood does not answer the whole
        buffer at once: replies come only as fast as the client reads them,
        and a client that never reads gets nothing more (the grace period
        then cuts it).
        """
        client = Server().connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"\n" * 50000)
        client.protocol.closeByServer(SHUTDOWN)
        self.assertEqual(client.lines(), [])
        self.assertFalse(client.closing)
        self.assertTrue(client.protocol.pending)
        client.protocol.closeByServer(SHUTDOWN, atOnce=True)
        self.assertEqual(client.lines(), ["Servidor: El servidor cerró la conexión."])


    def test_clientThatNeverReadsStillEnds(self):
        """
        A paused connection closed by the server (the idle timeout, the
        console) whose client never reads does not wait for ever: after
        L{CLOSE_TIMEOUT_SECONDS} its unframed lines are dropped and it gets
        its line and is closed, and L{CLOSE_TIMEOUT_SECONDS} later aborted.
        """
        server = Server()
        client = server.connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"uno\ndos\n")
        client.protocol.closeByServer(OPERATOR)
        server.clock.advance(CLOSE_TIMEOUT_SECONDS - 0.1)
        self.assertEqual(client.lines(), [])
        server.clock.advance(0.1)
        self.assertEqual(client.lines(), ["Servidor: El servidor cerró la conexión."])
        self.assertTrue(client.closing)
        aborted = []
        client.transport.abortConnection = lambda: (aborted.append(True), client.lose())
        server.clock.advance(CLOSE_TIMEOUT_SECONDS)
        self.assertEqual(aborted, [True])


class PausedHalfCloseTests(SynchronousTestCase):
    def test_linesStayApart(self):
        """
        A client that half-closes while its lines wait unframed gets one
        reply per line, not one for them all.
        """
        client = Server().connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"uno\ndos\nsalir\nnunca\n")
        client.protocol.readConnectionLost()
        self.assertEqual(client.lines(), [])
        client.protocol.resumeProducing()
        lines = client.lines()
        self.assertEqual(lines[:2], [reply("0:00:00")] * 2)
        self.assertTrue(lines[2].startswith("Servidor: Conexión finalizada."))
        self.assertEqual(len(lines), 3)
