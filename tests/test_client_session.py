"""
Unit tests for L{tpreactor.client.session} and L{tpreactor.client.wire}:
the session over a StringTransport and a Clock.  Synchronous, so they run
under pytest and under trial alike.
"""

from twisted.internet import defer, error
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.messages import catalogue
from tpreactor.client.connect import CANNOT_CONNECT
from tpreactor.client.session import (
    GOODBYE_SECONDS, INPUT_HIGH_WATER, INTERRUPTED, OK, SERVER_CLOSED, Session,
)
from tpreactor.client.wire import ServerProtocol
from tpreactor.messages import ENGLISH, SPANISH

from .contract import DATED_WELCOME as WELCOME
ES, EN = catalogue("es").client, catalogue("en").client
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
    texts = catalogue(lang).client
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
