"""
Unit tests for the bundled client (tpreactor.client and its _client*
modules): the session over a StringTransport and a Clock, the terminal
side over pipes, the command line as data.  Synchronous, so they run under
pytest and under trial alike.
"""

import errno
import fcntl
import io
import os

from twisted.internet import defer, error
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tests.support import temporaryFolder
from tpreactor import client
from tpreactor._clientconnect import (
    CANNOT_CONNECT, REFUSED, TIMED_OUT, UNKNOWN_HOST, describe, explain, splitDescription,
)
from tpreactor._clientio import InputReader, Screen, terminalKept
from tpreactor._clientsession import (
    GOODBYE_SECONDS, INPUT_HIGH_WATER, INTERRUPTED, OK, SERVER_CLOSED, ServerProtocol, Session,
)
from tpreactor.messages import ENGLISH, SPANISH

ES, EN = client.TEXTS["es"], client.TEXTS["en"]
WELCOME = "Servidor: Conexión establecida el 13 de mayo a las 15:15 hs. Puedes enviar mensajes al servidor."
REPLY = "Mensaje Recibido el 13 de mayo a las 15:15 hs. Tiempo transcurrido desde la conexión: 0:00:01.5"
GOODBYE = "Servidor: Conexión finalizada. Tiempo total de conexión: 0:00:02.5"


class FakeScreen:
    """
    Records what the session shows: C{("line", text)} and C{("prompt", text)}.
    """

    def __init__(self):
        self.shown = []

    def line(self, text):
        self.shown.append(("line", text))

    def prompt(self, text):
        self.shown.append(("prompt", text))

    def typed(self):
        pass

    def report(self, text):
        self.shown.append(("stderr", text))

    @property
    def lines(self):
        return [text for kind, text in self.shown if kind == "line"]


class FakeInput:
    def __init__(self):
        self.paused = False

    def pauseReading(self):
        self.paused = True

    def resumeReading(self):
        self.paused = False


class FakeEndpoint:
    """
    An endpoint whose connection is decided by the test.
    """

    def __init__(self):
        self.attempt = defer.Deferred(lambda d: d.errback(error.ConnectingCancelledError("here")))

    def connect(self, factory):
        self.factory = factory
        return self.attempt


def makeSession(interactive=False, lang="es", connect=True):
    screen = FakeScreen()
    clock = Clock()
    texts = client.TEXTS[lang]
    words = (ENGLISH if lang == "en" else SPANISH).exitWords
    session = Session(
        screen, texts, words, clock, interactive=interactive, input=FakeInput(), report=screen.report,
    )
    transport = StringTransport()
    protocol = ServerProtocol(session)
    if connect:
        protocol.makeConnection(transport)
    return session, protocol, transport, screen, clock


def serverSays(protocol, *lines):
    protocol.dataReceived("".join(line + "\n" for line in lines).encode("utf-8"))


def sent(transport):
    value = transport.value()
    transport.clear()
    return value


class ConversationTests(SynchronousTestCase):
    """
    One message at a time, each after the reply to the one before.
    """

    def test_nothingBeforeWelcome(self):
        """
        Lines read before the welcome wait for it: a serial server holds us.
        """
        session, protocol, transport, screen, _ = makeSession()
        session.userLine(b"hola")
        session.userLine(b"mundo")
        self.assertEqual(sent(transport), b"")
        serverSays(protocol, WELCOME)
        self.assertEqual(screen.lines, [WELCOME])
        self.assertEqual(sent(transport), b"hola\n")

    def test_nextLineOnlyAfterReply(self):
        """
        The second line goes out only once the first one's reply is here,
        and the replies are printed in order.
        """
        session, protocol, transport, screen, _ = makeSession()
        serverSays(protocol, WELCOME)
        session.userLine(b"uno")
        session.userLine(b"dos")
        self.assertEqual(sent(transport), b"uno\n")
        serverSays(protocol, REPLY + "1")
        self.assertEqual(sent(transport), b"dos\n")
        serverSays(protocol, REPLY + "2")
        self.assertEqual(screen.lines, [WELCOME, REPLY + "1", REPLY + "2"])

    def test_scriptedEndOfInput(self):
        """
        At end of input a script sends C{salir} after the last reply, prints
        the goodbye and C{Cerrando socket}, and ends with 0; no prompts and
        no C{Cerrando conexión} line.
        """
        session, protocol, transport, screen, _ = makeSession()
        serverSays(protocol, WELCOME)
        session.userLine(b"hola")
        session.userEnd()
        self.assertEqual(sent(transport), b"hola\n")
        serverSays(protocol, REPLY)
        self.assertEqual(sent(transport), b"salir\n")
        serverSays(protocol, GOODBYE)
        self.assertTrue(transport.disconnecting)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.shown, [("line", t) for t in (WELCOME, REPLY, GOODBYE, ES.closingSocket)])
        self.assertEqual(self.successResultOf(session.finished), OK)

    def test_emptyLineIsAMessage(self):
        """
        An empty line is sent and answered like any other.
        """
        session, protocol, transport, _, _ = makeSession()
        serverSays(protocol, WELCOME)
        session.userLine(b"")
        self.assertEqual(sent(transport), b"\n")

    def test_crlfAndBadUtf8(self):
        """
        C{\\r\\n} is tolerated and bytes that are not UTF-8 are replaced.
        """
        session, protocol, transport, screen, _ = makeSession()
        protocol.dataReceived(b"Servidor: hola\r\n" + b"caf\xe9\r\n")
        self.assertEqual(screen.lines, ["Servidor: hola", "caf\ufffd"])

    def test_serverTextEscaped(self):
        """
        A server cannot put terminal escape sequences on the user's screen.
        """
        session, protocol, transport, screen, _ = makeSession()
        protocol.dataReceived(b"\x1b[2Jhola\n")
        self.assertEqual(screen.lines, ["\\x1b[2Jhola"])

    def test_lastLineWithoutNewline(self):
        """
        Text the server left unterminated when it closed is still shown.
        """
        session, protocol, transport, screen, _ = makeSession()
        protocol.dataReceived(WELCOME.encode() + b"\nfin")
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.lines, [WELCOME, "fin", ES.serverClosed, ES.closingSocket])

    def test_inputPausedWhileTooManyWait(self):
        """
        Standard input is paused while many lines wait, and resumed as they
        drain.
        """
        session, protocol, transport, _, _ = makeSession()
        serverSays(protocol, WELCOME)
        for i in range(INPUT_HIGH_WATER + 1):
            session.userLine(b"x")
        self.assertTrue(session.input.paused)
        for i in range(INPUT_HIGH_WATER):
            serverSays(protocol, REPLY)
        self.assertFalse(session.input.paused)


class InteractiveTests(SynchronousTestCase):
    """
    At a terminal: the prompt, and what it looks like when things end.
    """

    def test_promptAfterWelcomeAndEachReply(self):
        """
        The prompt comes after the welcome, and again only after the reply.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        self.assertEqual(screen.shown[-1], ("prompt", ES.prompt))
        session.userLine(b"hola")
        self.assertEqual(screen.shown[-1], ("prompt", ES.prompt))
        self.assertEqual(len(screen.shown), 2)
        serverSays(protocol, REPLY)
        self.assertEqual(screen.shown[-2:], [("line", REPLY), ("prompt", ES.prompt)])

    def test_salir(self):
        """
        C{salir}, in any case and with spaces, says so and sends C{salir}.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userLine(b"  SALIR ")
        self.assertEqual(sent(transport), b"salir\n")
        self.assertEqual(screen.lines[-1], ES.closing)

    def test_englishExitWords(self):
        """
        In English, C{exit} and C{quit} end the session too; the wire still
        says C{salir}, which every server language accepts.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True, lang="en")
        serverSays(protocol, WELCOME)
        session.userLine(b"quit")
        self.assertEqual(sent(transport), b"salir\n")
        self.assertEqual(screen.lines[-1], EN.closing)

    def test_exitIsAMessageInSpanish(self):
        """
        In Spanish only C{salir} ends the session.
        """
        session, protocol, transport, _, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userLine(b"exit")
        self.assertEqual(sent(transport), b"exit\n")

    def test_ctrlD(self):
        """
        Ctrl+D is C{salir}: announced, sent, and the goodbye printed.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userEnd()
        self.assertEqual(sent(transport), b"salir\n")
        serverSays(protocol, GOODBYE)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.lines[-3:], [ES.closing, GOODBYE, ES.closingSocket])
        self.assertEqual(self.successResultOf(session.finished), OK)

    def test_noGoodbyeWithinASecond(self):
        """
        Without a goodbye the client closes after L{GOODBYE_SECONDS}.
        """
        session, protocol, transport, _, clock = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userLine(b"salir")
        clock.advance(GOODBYE_SECONDS - 0.01)
        self.assertFalse(transport.disconnecting)
        clock.advance(0.01)
        self.assertTrue(transport.disconnecting)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(self.successResultOf(session.finished), OK)

    def test_serverClosesAtPrompt(self):
        """
        The server closing while the user is at the prompt is shown at once,
        and the session ends with 1.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME, "Servidor: Conexión cerrada por inactividad.")
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.lines[-3:], [
            "Servidor: Conexión cerrada por inactividad.", ES.serverClosed, ES.closingSocket,
        ])
        self.assertEqual(self.successResultOf(session.finished), SERVER_CLOSED)

    def test_serverClosesWhileQueued(self):
        """
        Closed while waiting for the welcome: the same ending, status 1.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        protocol.connectionLost(Failure(error.ConnectionLost()))
        self.assertEqual(screen.lines, [ES.serverClosed, ES.closingSocket])
        self.assertEqual(self.successResultOf(session.finished), SERVER_CLOSED)

    def test_ctrlDWhileQueued(self):
        """
        A person who gives up while queued leaves at once: C{salir} is sent
        and the connection closed without waiting for the welcome.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        session.userEnd()
        self.assertEqual(sent(transport), b"salir\n")
        self.assertTrue(transport.disconnecting)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.lines, [ES.closing, ES.closingSocket])
        self.assertEqual(self.successResultOf(session.finished), OK)


class EndingTests(SynchronousTestCase):
    """
    Who closed first decides the exit status.
    """

    def test_closingLineInPlaceOfReply(self):
        """
        A closing line where a reply was due stops the conversation: nothing
        more is sent, not even C{salir} at end of input, and the status is 1.
        """
        session, protocol, transport, screen, _ = makeSession()
        serverSays(protocol, WELCOME)
        session.userLine(b"uno")
        session.userLine(b"dos")
        session.userEnd()
        sent(transport)
        serverSays(protocol, SPANISH.closedByServer)
        self.assertEqual(sent(transport), b"")
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(self.successResultOf(session.finished), SERVER_CLOSED)

    def test_unexpectedGoodbyeIsAnEnd(self):
        """
        If the server takes a message as its exit word (C{exit} to an
        English server), its goodbye ends the session normally.
        """
        session, protocol, transport, screen, _ = makeSession()
        serverSays(protocol, WELCOME)
        session.userLine(b"exit")
        serverSays(protocol, ENGLISH.goodbye.format(elapsed="0:00:01"))
        self.assertTrue(transport.disconnecting)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(self.successResultOf(session.finished), OK)

    def test_interruptSendsSalirAtOnce(self):
        """
        Ctrl+C sends C{salir} even while a reply is pending, prints what
        comes before the close, and ends with 130.
        """
        session, protocol, transport, screen, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userLine(b"hola")
        sent(transport)
        session.interrupt()
        self.assertEqual(sent(transport), b"salir\n")
        serverSays(protocol, REPLY, GOODBYE)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(screen.lines[-4:], [ES.closing, REPLY, GOODBYE, ES.closingSocket])
        self.assertEqual(self.successResultOf(session.finished), INTERRUPTED)

    def test_secondInterruptAborts(self):
        """
        A second Ctrl+C does not wait for the goodbye.
        """
        session, protocol, transport, _, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.interrupt()
        self.assertFalse(transport.disconnecting)
        session.interrupt()
        self.assertTrue(transport.disconnected)

    def test_interruptDuringGoodbyeWait(self):
        """
        Ctrl+C after C{salir} was already sent does not wait any longer,
        and the status is 130.
        """
        session, protocol, transport, _, _ = makeSession(interactive=True)
        serverSays(protocol, WELCOME)
        session.userLine(b"salir")
        session.interrupt()
        self.assertTrue(transport.disconnected)
        protocol.connectionLost(Failure(error.ConnectionLost()))
        self.assertEqual(self.successResultOf(session.finished), INTERRUPTED)


class BrokenConnectionTests(SynchronousTestCase):
    """
    A connection that ends with an error (a TLS handshake refused, say).
    """

    def test_beforeWelcome(self):
        """
        Before the welcome it is a failure to connect: the reason on stderr,
        status 6.
        """
        session, protocol, transport, screen, _ = makeSession()
        protocol.connectionLost(Failure(ValueError("certificate verify failed")))
        self.assertIn(("stderr", "La conexión falló: certificate verify failed"), screen.shown)
        self.assertEqual(screen.lines, [ES.serverClosed, ES.closingSocket])
        self.assertEqual(self.successResultOf(session.finished), CANNOT_CONNECT)

    def test_afterWelcome(self):
        """
        After the welcome the server is gone first: status 1.
        """
        session, protocol, transport, screen, _ = makeSession()
        serverSays(protocol, WELCOME)
        protocol.connectionLost(Failure(ValueError("decryption failed")))
        self.assertEqual(self.successResultOf(session.finished), SERVER_CLOSED)

    def test_ordinaryCloseNotReported(self):
        session, protocol, transport, screen, _ = makeSession()
        protocol.connectionLost(Failure(error.ConnectionLost()))
        self.assertEqual([kind for kind, _ in screen.shown], ["line", "line"])


class ConnectingTests(SynchronousTestCase):
    """
    L{Session.run}: the connect timeout and Ctrl+C while connecting.
    """

    def test_connected(self):
        """
        Once connected, the result is the session's exit status.
        """
        session, protocol, transport, screen, clock = makeSession(connect=False)
        endpoint = FakeEndpoint()
        d = session.run(endpoint, 5)
        protocol = endpoint.factory.buildProtocol(None)
        protocol.makeConnection(transport)
        endpoint.attempt.callback(protocol)
        clock.advance(10)  # the timeout no longer applies
        self.assertNoResult(d)
        serverSays(protocol, WELCOME)
        protocol.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual(self.successResultOf(d), SERVER_CLOSED)

    def test_timeout(self):
        """
        Connecting longer than the timeout fails with a timeout error.
        """
        session, _, _, _, clock = makeSession(connect=False)
        d = session.run(FakeEndpoint(), 5)
        clock.advance(4.9)
        self.assertNoResult(d)
        clock.advance(0.1)
        self.failureResultOf(d, error.TimeoutError)

    def test_interruptWhileConnecting(self):
        """
        Ctrl+C while connecting gives up at once with 130, the last line
        C{Cerrando socket} as always.
        """
        session, _, _, screen, _ = makeSession(connect=False)
        d = session.run(FakeEndpoint(), 5)
        session.interrupt()
        self.assertEqual(self.successResultOf(d), INTERRUPTED)
        self.assertEqual(screen.lines, ["Cerrando socket"])

    def test_failure(self):
        """
        Any other failure is passed on for L{explain}.
        """
        session, _, _, _, _ = makeSession(connect=False)
        endpoint = FakeEndpoint()
        d = session.run(endpoint, 5)
        endpoint.attempt.errback(error.ConnectionRefusedError())
        self.failureResultOf(d, error.ConnectionRefusedError)


class ExplainTests(SynchronousTestCase):
    """
    Each way of failing to connect has its own status and words.
    """

    def check(self, exc, status, reason, texts=ES):
        self.assertEqual(explain(Failure(exc), texts, 2.5), (status, reason))

    def test_refused(self):
        self.check(error.ConnectionRefusedError(), REFUSED, ES.refused)

    def test_noUnixSocket(self):
        self.check(error.ConnectError(errno.ENOENT, "No such file"), REFUSED, ES.noSocket)

    def test_unknownHost(self):
        self.check(error.DNSLookupError("nohost.invalid"), UNKNOWN_HOST, ES.unknownHost)

    def test_timeout(self):
        self.check(error.TimeoutError(), TIMED_OUT, "no answer within 2.5 s", texts=EN)

    def test_other(self):
        self.check(error.NoRouteError(), CANNOT_CONNECT, str(error.NoRouteError()).rstrip("."))

    def test_distinctStatuses(self):
        """
        Every status is distinct and none is 0, 1, 2 or 130.
        """
        statuses = {REFUSED, UNKNOWN_HOST, TIMED_OUT, CANNOT_CONNECT}
        self.assertEqual(len(statuses), 4)
        self.assertFalse(statuses & {0, 1, 2, 130})


class DescribeTests(SynchronousTestCase):
    """
    How an endpoint string is named in the C{Conectando} line.
    """

    def test_split(self):
        self.assertEqual(splitDescription("tcp6:\\:\\:1:6667"), ["tcp6", "::1", "6667"])

    def test_tcp(self):
        self.assertEqual(describe("tcp:localhost:6667"), ("localhost", "6667"))
        self.assertEqual(describe("tcp:port=6667:host=example.org"), ("example.org", "6667"))
        self.assertEqual(describe("tcp:host=example.org:6667"), ("example.org", "6667"))

    def test_tcp6AndTls(self):
        self.assertEqual(describe("tcp6:\\:\\:1:6667:timeout=3"), ("::1", "6667"))
        self.assertEqual(describe("tls:example.org:6697:trustRoots=/x"), ("example.org", "6697"))

    def test_unix(self):
        self.assertEqual(describe("unix:/tmp/tp.sock"), ("/tmp/tp.sock", None))
        self.assertEqual(describe("unix:path=/tmp/tp.sock:timeout=2"), ("/tmp/tp.sock", None))

    def test_unknownType(self):
        self.assertEqual(describe("weird:thing"), ("weird:thing", None))


class ArgumentTests(SynchronousTestCase):
    """
    The command line, checked as data.
    """

    def parse(self, *argv):
        from twisted.internet.testing import MemoryReactorClock

        return client.parseArguments(MemoryReactorClock(), list(argv))

    def parseError(self, *argv):
        stderr = io.StringIO()
        self.patch(client.sys, "stderr", stderr)
        with self.assertRaises(SystemExit) as caught:
            self.parse(*argv)
        self.assertEqual(caught.exception.code, client.BAD_ARGUMENTS)
        return stderr.getvalue()

    def test_defaults(self):
        options, target = self.parse()
        self.assertEqual((target.host, target.port), ("127.0.0.1", "6667"))
        self.assertEqual(options.lang, "es")
        self.assertEqual(options.timeout, client.DEFAULT_TIMEOUT_SECONDS)

    def test_hostAndPort(self):
        options, target = self.parse("::1", "7000", "--lang", "en", "--timeout", "2")
        self.assertEqual((target.host, target.port), ("::1", "7000"))
        self.assertEqual((options.lang, options.timeout), ("en", 2.0))

    def test_connect(self):
        options, target = self.parse("--connect", "unix:/tmp/tp.sock")
        self.assertEqual((target.host, target.port), ("/tmp/tp.sock", None))

    def test_tcp6(self):
        """
        C{tcp6:}, which Twisted's C{clientFromString} lacks, is read here.
        """
        from twisted.internet.endpoints import TCP6ClientEndpoint

        options, target = self.parse("--connect", "tcp6:\\:\\:1:6667:timeout=3")
        self.assertIsInstance(target.endpoint, TCP6ClientEndpoint)
        self.assertEqual((target.host, target.port), ("::1", "6667"))

    def test_badTcp6(self):
        self.assertIn("tcp6 takes", self.parseError("--connect", "tcp6:\\:\\:1:6667:x=1"))

    def test_badPort(self):
        """
        A bad port is one line on stderr, without the usage.
        """
        out = self.parseError("localhost", "70000")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("invalid port", out)

    def test_badTimeout(self):
        self.assertIn("--timeout", self.parseError("--timeout", "-1"))

    def test_badEndpoint(self):
        out = self.parseError("--connect", "nosuch:thing")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("bad endpoint", out)

    def test_trustRootsNotCertificates(self):
        """
        A C{trustRoots} folder holding something that is not a certificate is
        one line on stderr, not OpenSSL's traceback.
        """
        folder = temporaryFolder(self)
        with open(os.path.join(folder, "key.pem"), "w") as f:
            f.write("not a certificate\n")
        out = self.parseError("--connect", f"tls:localhost:6697:trustRoots={folder}")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("bad endpoint", out)
        self.assertIn("PEM", out)

    def test_connectAndHost(self):
        self.assertIn("not both", self.parseError("localhost", "--connect", "tcp:localhost:1"))

    def test_badLanguage(self):
        self.assertIn("--lang", self.parseError("--lang", "fr"))

    def test_helpListsExitStatuses(self):
        """
        C{--help} lists every exit status.
        """
        text = client.buildParser().format_help()
        for status in (0, 1, 2, REFUSED, UNKNOWN_HOST, TIMED_OUT, CANNOT_CONNECT, 130):
            self.assertRegex(text, rf"\n  {status} +\S")


class TextsTests(SynchronousTestCase):
    """
    The client's texts, in both languages, as the contract writes them.
    """

    def test_sameFields(self):
        self.assertEqual(set(client.TEXTS), {"es", "en"})

    def test_contractWording(self):
        self.assertEqual(ES.connecting.format(host="h", port=1), "Conectando a h puerto 1")
        self.assertEqual(EN.connecting.format(host="h", port=1), "Connecting to h port 1")
        self.assertEqual((ES.prompt, EN.prompt), ("Mensaje para el servidor: ", "Message for the server: "))
        self.assertEqual(ES.closing, "Cerrando conexión con el servidor...")
        self.assertEqual(EN.closing, "Closing the connection with the server...")
        self.assertEqual(ES.serverClosed, "La conexión con el servidor se cerró.")
        self.assertEqual(EN.serverClosed, "The connection with the server was closed.")
        self.assertEqual((ES.closingSocket, EN.closingSocket), ("Cerrando socket", "Closing socket"))


class ScreenTests(SynchronousTestCase):
    """
    L{Screen} keeps server lines off the prompt's line.
    """

    def test_lineAfterPrompt(self):
        out = io.BytesIO()
        screen = Screen(out)
        screen.prompt("P: ")
        screen.line("cerrado")
        screen.line("fin")
        self.assertEqual(out.getvalue(), b"P: \ncerrado\nfin\n")

    def test_typedMovesOn(self):
        out = io.BytesIO()
        screen = Screen(out)
        screen.prompt("P: ")
        screen.typed()
        screen.line("respuesta")
        self.assertEqual(out.getvalue(), b"P: respuesta\n")

    def test_encodingReplace(self):
        out = io.BytesIO()
        Screen(out, encoding="ascii").line("conexión")
        self.assertEqual(out.getvalue(), b"conexi?n\n")

    def test_brokenPipe(self):
        """
        A reader that went away (C{| head}) silences the screen, no traceback.
        """
        class Gone:
            def write(self, data):
                raise BrokenPipeError()

        screen = Screen(Gone())
        screen.line("uno")
        screen.line("dos")


class FakeReactor:
    def __init__(self):
        self.readers = []

    def addReader(self, reader):
        self.readers.append(reader)

    def removeReader(self, reader):
        if reader in self.readers:
            self.readers.remove(reader)


class InputReaderTests(SynchronousTestCase):
    """
    L{InputReader} over a pipe.
    """

    def setUp(self):
        self.readFd, self.writeFd = os.pipe()
        self.addCleanup(self.closeAll)
        self.reactor = FakeReactor()
        self.lines, self.ends = [], []
        self.reader = InputReader(
            self.reactor, self.readFd, self.lines.append, lambda: self.ends.append(True)
        )
        self.reader.startReading()

    def closeAll(self):
        for fd in (self.readFd, self.writeFd):
            try:
                os.close(fd)
            except OSError:
                pass

    def test_linesAndCrlf(self):
        os.write(self.writeFd, b"uno\r\ndos\ntr")
        self.reader.doRead()
        self.assertEqual(self.lines, [b"uno", b"dos"])
        os.write(self.writeFd, b"es\n")
        self.reader.doRead()
        self.assertEqual(self.lines, [b"uno", b"dos", b"tres"])

    def test_partialLineAtEnd(self):
        """
        Text without a newline at end of input is a last line.
        """
        os.write(self.writeFd, b"hola\nmundo")
        os.close(self.writeFd)
        self.reader.doRead()
        self.reader.doRead()
        self.assertEqual(self.lines, [b"hola", b"mundo"])
        self.assertEqual(self.ends, [True])
        self.assertEqual(self.reactor.readers, [])

    def test_hangUpIsEnd(self):
        """
        The reactor reporting a hang-up (C{connectionLost}) ends input too.
        """
        os.write(self.writeFd, b"resto")
        self.reader.doRead()
        self.reader.connectionLost(Failure(error.ConnectionDone()))
        self.assertEqual((self.lines, self.ends), ([b"resto"], [True]))

    def test_pauseResume(self):
        self.reader.pauseReading()
        self.assertEqual(self.reactor.readers, [])
        self.reader.resumeReading()
        self.assertEqual(self.reactor.readers, [self.reader])

    def test_neverNonBlocking(self):
        """
        Reading does not set C{O_NONBLOCK} on the descriptor.
        """
        os.write(self.writeFd, b"x\n")
        self.reader.doRead()
        self.assertFalse(fcntl.fcntl(self.readFd, fcntl.F_GETFL) & os.O_NONBLOCK)


class TerminalKeptTests(SynchronousTestCase):
    """
    L{terminalKept} puts back the flags it found.
    """

    def test_nonBlockingCleared(self):
        readFd, writeFd = os.pipe()
        self.addCleanup(os.close, readFd)
        self.addCleanup(os.close, writeFd)
        with terminalKept(fds=(readFd,)):
            os.set_blocking(readFd, False)
        self.assertTrue(os.get_blocking(readFd))
