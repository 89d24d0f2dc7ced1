"""
Tests for L{tpreactor.protocol}: the framing of what a client sends into
messages, in memory, on a Clock, fed in every packet size from 1 to 9 bytes.
"""

from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.protocol import FLUSH_SECONDS

from .contract import DATED_REPLY as REPLY, GOODBYE, tooLong
from .memory import ManualExecutor, Server

TOO_LONG = tooLong(8)
SIZES = range(1, 10)


def reply(elapsed):
    return REPLY + elapsed


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
        for size in SIZES:
            self.assertMessages(b"uno\r\ndos\ntres\r\n", ["uno", "dos", "tres"], size)

    def test_telnetBytesInEveryChunkSize(self):
        """
        Telnet negotiation is not part of any message, even split across packets.
        """
        data = b"\xff\xfb\x01\xff\xfd\x03ho\xff\xfb\x18la\r\n"
        for size in SIZES:
            self.assertMessages(data, ["hola"], size)

    def test_telnetCtrlCIsAnswered(self):
        """
        Ctrl+C in telnet (IAC IP, IAC DO TIMING-MARK, the exact bytes telnet
        sends) gets IAC WILL TIMING-MARK at once, which ends telnet's wait;
        the session goes on, in every chunk size.
        """
        for size in SIZES:
            server = Server()
            client = server.connect()
            client.lines()
            start = len(client.transport.value())
            client.sendInChunks(b"hola\r\n\xff\xf4\xff\xfd\x06otra\r\n", size)
            written = client.transport.value()[start:]
            mark = written.index(b"\xff\xfb\x06")
            self.assertEqual(written[:mark].decode("utf-8").splitlines(), [reply("0:00:00")], size)
            self.assertEqual(written[mark + 3:].decode("utf-8").splitlines(), [reply("0:00:00")], size)
            self.assertEqual(written.count(b"\xff"), 1, size)

    def test_unterminatedTextAfterSilence(self):
        """
        Text with no terminator followed by a short silence is a message:
        the course-style client sends C{hola} and waits.
        """
        for size in SIZES:
            self.assertMessages(b"hola", ["hola"], size)

    def test_linesThenUnterminatedText(self):
        """
        Complete lines are messages at once, and the unterminated rest is
        one after the silence, whatever the packet boundaries.
        """
        for size in SIZES:
            self.assertMessages(b"uno\ndos\r\ntres", ["uno", "dos", "tres"], size)

    def test_noReplyBeforeTheSilence(self):
        """
        The silence is counted from the last byte received, not the first.
        """
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
        for size in SIZES:
            self.assertMessages(b"\xff\xfd\x03\xff\xfb\x01", [], size)

    def test_blankLineIsAMessage(self):
        """
        An empty line gets its reply like any other message.
        """
        for size in SIZES:
            client = Server().connect()
            client.lines()
            client.sendInChunks(b"\n\r\n", size)
            self.assertEqual(client.lines(), [reply("0:00:00")] * 2)

    def test_invalidUtf8IsReplaced(self):
        """
        Bytes that are not UTF-8 become replacement characters.
        """
        for size in SIZES:
            self.assertMessages(b"caf\xe9\n", ["caf\ufffd"], size)

    def test_logTextIsEscaped(self):
        """
        Terminal escapes sent by a client reach the log escaped.
        """
        for size in SIZES:
            self.assertMessages(b"\x1b[2Jhi\x07\n", ["\\x1b[2Jhi\\x07"], size)

    def test_tooLongInEveryChunkSize(self):
        """
        A line over the limit ends the session with the refusal after the
        replies before it, however it arrives.
        """
        for size in SIZES:
            client = Server(maxLineLength=8).connect()
            client.lines()
            client.sendInChunks(b"ok\n123456789\nnunca\n", size)
            self.assertEqual(client.lines(), [reply("0:00:00"), TOO_LONG], size)
            self.assertTrue(client.closing)


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

    def test_salirInEveryChunkSize(self):
        """
        The exit word ends the session whatever the packet boundaries, and
        what follows it is no message.
        """
        for size in SIZES:
            client = Server().connect()
            client.lines()
            client.sendInChunks(b"uno\r\nsalir\r\ndos\n", size)
            lines = client.lines()
            self.assertEqual(lines[0], reply("0:00:00"))
            self.assertTrue(lines[1].startswith(GOODBYE), size)
            self.assertEqual(len(lines), 2)

    def test_linesAfterSalirAreIgnored(self):
        """
        Nothing after the exit word is answered.
        """
        client = Server().connect()
        client.lines()
        client.send(b"a\nsalir\nb\n")
        self.assertEqual(len(client.lines()), 2)

    def test_exitQuitInEnglish(self):
        """
        In English, exit and quit end the session as well as salir.
        """
        for word in (b"exit", b"QUIT", b"salir"):
            client = Server(lang="en").connect()
            client.lines()
            client.send(word + b"\n")
            self.assertTrue(client.lines()[0].startswith("Server: Connection ended."))

    def test_exitIsAMessageInSpanish(self):
        """
        In Spanish, exit is an ordinary message.
        """
        client = Server().connect()
        client.lines()
        client.send(b"exit\n")
        self.assertFalse(client.closing)

    def test_salirUnterminated(self):
        """
        An unterminated exit word before the end of input ends the session.
        """
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
        lines = [formatEvent(e) for e in events]
        self.assertIn("Conexión establecida con IP: 127.0.0.1 y Puerto: 1111", lines)
        self.assertIn("Cliente 127.0.0.1:1111 ha cerrado la conexión.", lines)
        self.assertIn("Cliente 127.0.0.1:2222 se desconectó.", lines)
        self.assertEqual(server.factory.connections, {})

    def test_goneRightAfterUnterminatedSalir(self):
        """
        A client that sends salir with no newline and goes away quit: the
        console says so, whatever the packet boundaries.
        """
        for size in SIZES:
            server = Server()
            client = server.connect(port=3333)
            client.sendInChunks(b"uno\nsalir\r", size)
            with capturedLogs() as events:
                client.lose()
            self.assertEqual([formatEvent(e) for e in events], ["Cliente 127.0.0.1:3333 ha cerrado la conexión."])


class HalfCloseTests(SynchronousTestCase):
    def test_pendingTextAtHalfClose(self):
        """
        Text still buffered when the client shuts down its side is its last
        message: answered, then the connection closes.
        """
        for size in SIZES:
            client = Server().connect()
            client.lines()
            client.sendInChunks(b"uno\ndos", size)
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
        """
        The end of input after the exit word adds nothing.
        """
        client = Server().connect()
        client.lines()
        client.send(b"salir\n")
        client.protocol.readConnectionLost()
        self.assertEqual(len(client.lines()), 1)

    def test_dataAfterHalfCloseIsNoMessage(self):
        """
        Nothing that arrives once the end of input is known is a message.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.readConnectionLost()
        client.send(b"tarde\n")
        self.assertEqual(executor.complete(), ["uno"])
        self.assertEqual(client.lines(), [reply("0:00:00")])
