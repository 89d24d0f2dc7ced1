"""
The operator's console in memory: commands and the Ctrl+C question on a
StringTransport, the clients on a Clock.
"""

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.terminal.console import REOPEN_SECONDS, Console, TerminalConsole
from tpreactor.messages import catalogue

from .contract import CLOSED
from .memory import Server, serialServer



def consoleOn(server, backlog=None):
    """
    A console on the in-memory C{server}'s model, its clients C{backlog} in
    the kernel's queue when given.
    """
    console = Console(server.model(backlog))
    transport = StringTransport()
    console.makeConnection(transport)
    return console, transport


def typed(console, transport, line):
    """
    What the console writes after C{line} is typed.
    """
    transport.clear()
    console.dataReceived(line.encode("utf-8") + b"\n")
    return transport.value().decode("utf-8")


class ListTests(SynchronousTestCase):
    def test_empty(self):
        """
        With nobody connected `clientes` says so in one line.
        """
        console, transport = consoleOn(Server())
        self.assertEqual(typed(console, transport, "clientes"), "Conexiones activas: 0\n")

    def test_oneLinePerClient(self):
        """
        One line per client, in connection order, starting with its address
        and port, then when it connected, how long ago and how many messages
        it has sent.
        """
        server = Server()
        clients = [server.connect() for _ in range(3)]
        clients[0].send(b"uno\ndos\n")
        clients[2].send(b"tres\n")
        server.clock.advance(63)
        console, transport = consoleOn(server)
        lines = typed(console, transport, "clientes").splitlines()
        self.assertEqual(lines, [
            "Conexiones activas: 3",
            "127.0.0.1:53544  conectado el 13 de mayo a las 15:15 hs (hace 0:01:03), mensajes: 2",
            "127.0.0.1:53545  conectado el 13 de mayo a las 15:15 hs (hace 0:01:03), mensajes: 0",
            "127.0.0.1:53546  conectado el 13 de mayo a las 15:15 hs (hace 0:01:03), mensajes: 1",
        ])

    def test_pendingMessages(self):
        """
        Messages whose reply is still being worked on count as sent, and the
        line says how many wait.
        """
        from .shutdownfakes import HeldExecutor

        server = Server(executor=HeldExecutor())
        client = server.connect()
        client.send(b"uno\ndos\n")
        console, transport = consoleOn(server)
        lines = typed(console, transport, "clientes").splitlines()
        self.assertTrue(lines[1].endswith("mensajes: 2 (sin responder: 2)"), lines[1])

    def test_englishAlias(self):
        """
        `list` is `clientes`, whatever the language.
        """
        server = Server()
        server.connect()
        console, transport = consoleOn(server)
        self.assertEqual(typed(console, transport, "list"), typed(console, transport, "clientes"))

    def test_inEnglish(self):
        """
        With --lang en the list is in English.
        """
        server = Server(lang="en")
        server.connect()
        console, transport = consoleOn(server)
        lines = typed(console, transport, "list").splitlines()
        self.assertEqual(lines[0], "Active connections: 1")
        self.assertEqual(lines[1], "127.0.0.1:53544  connected on May 13 at 15:15 (0:00:00 ago), messages: 0")

    def test_serialCountsWaiting(self):
        """
        In serial mode the first line also counts the clients held for their
        turn, and each of them gets a line too.
        """
        server = serialServer()
        server.connect()
        server.connect()
        server.connect()
        console, transport = consoleOn(server)
        lines = typed(console, transport, "clientes").splitlines()
        self.assertEqual(lines[0], "Conexiones activas: 1, en espera: 2")
        self.assertTrue(lines[1].startswith("127.0.0.1:53544  conectado el"))
        self.assertEqual(lines[2:], [
            "127.0.0.1:53545  en espera de su turno",
            "127.0.0.1:53546  en espera de su turno",
        ])

    def test_serialCountsTheKernelsBacklog(self):
        """
        In serial mode the clients still in the kernel's backlog count as
        waiting, and one line says how many there are (their addresses are
        not known until they are accepted).
        """
        server = serialServer()
        server.connect()
        server.connect()
        console, transport = consoleOn(server, backlog=2)
        lines = typed(console, transport, "clientes").splitlines()
        self.assertEqual(lines[0], "Conexiones activas: 1, en espera: 3")
        self.assertEqual(lines[2:], [
            "127.0.0.1:53545  en espera de su turno",
            "2 más en espera de su turno en la cola del kernel (aún sin aceptar: su dirección no se conoce)",
        ])

    def test_backlogInEnglish(self):
        """
        With --lang en the backlog's line is in English.
        """
        server = serialServer(lang="en")
        server.connect()
        console, transport = consoleOn(server, backlog=1)
        lines = typed(console, transport, "list").splitlines()
        self.assertEqual(lines[0], "Active connections: 1, waiting: 1")
        self.assertEqual(lines[-1], "1 more waiting their turn in the kernel's queue (not accepted yet: address unknown)")

    def test_backlogOnlyForFactoriesThatHoldClients(self):
        """
        A factory that holds no clients shows no waiting count, whatever the
        backlog says.
        """
        server = Server()
        server.connect()
        console, transport = consoleOn(server, backlog=5)
        self.assertEqual(typed(console, transport, "clientes").splitlines()[0], "Conexiones activas: 1")

    def test_serialWithNobodyWaiting(self):
        """
        In serial mode the waiting count is shown even when it is 0.
        """
        server = serialServer()
        server.connect()
        console, transport = consoleOn(server)
        self.assertTrue(typed(console, transport, "clientes").startswith("Conexiones activas: 1, en espera: 0\n"))

    def test_waitingCountIsForFactoriesThatHoldClients(self):
        """
        The waiting count shows for any factory that holds clients, as it
        says, whatever its class.
        """
        server = Server()
        server.factory.holdsClients = True
        server.connect()
        console, transport = consoleOn(server)
        self.assertTrue(typed(console, transport, "clientes").startswith("Conexiones activas: 1, en espera: 0\n"))

    def test_catalogueIsTheFactorys(self):
        """
        The console speaks the server's language: its factory's catalogue.
        """
        server = Server(lang="en")
        console, transport = consoleOn(server)
        self.assertIs(console.catalogue, server.factory.catalogue)


class KickTests(SynchronousTestCase):
    def test_kick(self):
        """
        `desconectar IP:PUERTO` gives that client the closing line and closes
        it; the others are untouched.
        """
        server = Server()
        first, second = server.connect(), server.connect()
        first.lines(), second.lines()
        console, transport = consoleOn(server)
        out = typed(console, transport, "desconectar 127.0.0.1:53545")
        self.assertEqual(out, "Desconectando a 127.0.0.1:53545.\n")
        self.assertEqual(second.lines(), [CLOSED])
        self.assertTrue(second.closing)
        self.assertEqual(first.lines(), [])
        self.assertFalse(first.closing)

    def test_kickAlias(self):
        """
        `kick` is `desconectar`.
        """
        server = Server()
        client = server.connect()
        client.lines()
        console, transport = consoleOn(server)
        typed(console, transport, "kick 127.0.0.1:53544")
        self.assertEqual(client.lines(), [CLOSED])

    def test_kickWaitsForPendingReplies(self):
        """
        A kicked client still gets the replies to what it already sent, then
        the closing line.
        """
        from .shutdownfakes import HeldExecutor

        executor = HeldExecutor()
        server = Server(executor=executor)
        client = server.connect()
        client.lines()
        client.send(b"hola\n")
        console, transport = consoleOn(server)
        typed(console, transport, "desconectar 127.0.0.1:53544")
        self.assertEqual(client.lines(), [])
        executor.finishAll()
        lines = client.lines()
        self.assertTrue(lines[0].startswith("Mensaje Recibido el"))
        self.assertEqual(lines[1:], [CLOSED])

    def test_unknownAddress(self):
        """
        An address nobody is connected from gets one line.
        """
        server = Server()
        server.connect()
        console, transport = consoleOn(server)
        out = typed(console, transport, "desconectar 10.0.0.1:1")
        self.assertEqual(out, "No hay ningún cliente conectado desde 10.0.0.1:1.\n")

    def test_noAddress(self):
        """
        `desconectar` alone gets one line on how to use it.
        """
        console, transport = consoleOn(Server())
        self.assertEqual(len(typed(console, transport, "desconectar").splitlines()), 1)

    def test_findPeerIPv6(self):
        """
        An IPv6 client is found by its bracketed form (as the list shows it).
        """
        server = Server()
        server.connect(host="::1", port=5000)
        self.assertIsNotNone(server.factory.findPeer("[::1]:5000"))
        self.assertIsNone(server.factory.findPeer("[::1]:5001"))


class CommandTests(SynchronousTestCase):
    def test_unknownCommand(self):
        """
        An unknown command gets one line that points to `ayuda`.
        """
        console, transport = consoleOn(Server())
        out = typed(console, transport, "borrar todo")
        self.assertEqual(out, "Orden desconocida: borrar. Escribe ayuda para ver las órdenes.\n")

    def test_unknownCommandEscaped(self):
        """
        What the operator typed is not echoed with control characters.
        """
        console, transport = consoleOn(Server())
        out = typed(console, transport, "\x1b[2J")
        self.assertNotIn("\x1b", out)
        self.assertEqual(len(out.splitlines()), 1)

    def test_emptyLine(self):
        """
        An empty line is no command: nothing is written.
        """
        console, transport = consoleOn(Server())
        self.assertEqual(typed(console, transport, "   "), "")

    def test_help(self):
        """
        `ayuda` and `help` list the three commands with their aliases.
        """
        console, transport = consoleOn(Server())
        out = typed(console, transport, "ayuda")
        for word in ("clientes", "list", "desconectar IP:PUERTO", "kick", "ayuda", "help"):
            self.assertIn(word, out)
        self.assertEqual(typed(console, transport, "help"), out)

    def test_crlf(self):
        """
        A command ended by CRLF works.
        """
        console, transport = consoleOn(Server())
        transport.clear()
        console.dataReceived(b"CLIENTES\r\n")
        self.assertEqual(transport.value(), b"Conexiones activas: 0\n")


class QuestionTests(SynchronousTestCase):
    def test_question(self):
        """
        The question is the contract's, word for word, and the prompt has no
        newline after it.
        """
        console, transport = consoleOn(Server())
        console.ask(lambda answer: None)
        self.assertEqual(transport.value().decode("utf-8"), (
            "\nSe ha detectado una interrupción. ¿Qué acción deseas tomar?\n"
            "1. Cerrar solo el socket del servidor.\n"
            "2. Cerrar todas las conexiones activas y luego cerrar el socket del servidor.\n"
            "3. Salir sin cerrar nada.\n"
            "\n"
            "Selecciona una opción: "
        ))

    def test_questionInEnglish(self):
        """
        With --lang en the question is the contract's English one.
        """
        console, transport = consoleOn(Server(lang="en"))
        console.ask(lambda answer: None)
        self.assertEqual(transport.value().decode("utf-8"), (
            "\nAn interruption was detected. What do you want to do?\n"
            "1. Close only the server socket.\n"
            "2. Close all active connections and then the server socket.\n"
            "3. Exit without closing anything.\n"
            "\n"
            "Choose an option: "
        ))

    def test_answerGoesToTheQuestion(self):
        """
        While the question is open the next line is its answer (stripped),
        not a command; after it, lines are commands again.
        """
        console, transport = consoleOn(Server())
        answers = []
        console.ask(answers.append)
        self.assertTrue(console.asking)
        self.assertEqual(typed(console, transport, " clientes "), "")
        self.assertEqual(answers, ["clientes"])
        self.assertFalse(console.asking)
        self.assertEqual(typed(console, transport, "clientes"), "Conexiones activas: 0\n")

    def test_withdraw(self):
        """
        A withdrawn question ends its prompt's line and takes no answer.
        """
        console, transport = consoleOn(Server())
        answers = []
        console.ask(answers.append)
        transport.clear()
        console.withdraw()
        self.assertEqual(transport.value(), b"\n")
        typed(console, transport, "2")
        self.assertEqual(answers, [])

    def test_endOfInput(self):
        """
        End of input (Ctrl+D) is reported to the owner, which can open the
        terminal again.
        """
        console, transport = consoleOn(Server())
        ended = []
        console.onInputEnded = lambda: ended.append(True)
        console.readConnectionLost()
        self.assertEqual(ended, [True])


class TerminalLostTests(SynchronousTestCase):
    def test_terminalGoneForGood(self):
        """
        When the terminal cannot be opened again after its input ended, the
        console says so, in the server's language.
        """
        from twisted.logger import capturedLogs

        server = Server()
        console = Console(server.model())
        terminal = TerminalConsole(console, server.clock, inputPath="/nonexistent/tty", outputPath="/nonexistent/tty")
        self.assertFalse(terminal.open())
        with capturedLogs() as events:
            terminal._lost(console)
            server.clock.advance(REOPEN_SECONDS)
        self.assertEqual([e["log_format"] for e in events], [catalogue("es").terminalLost])
        self.assertTrue(catalogue("es").terminalLost.startswith("Consola: no se puede volver a abrir el terminal"))
