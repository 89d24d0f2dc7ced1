"""
The operator's side end to end: `twistd -n tpreactor` on a pseudo-terminal
(Ctrl+C, the question, the console commands, the terminal left as found)
and without one (SIGTERM and SIGINT shut down gracefully).
"""

import os
import re
import signal
import socket
import time

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tpreactor.modes import allModes

from .contract import ALL_CLOSED, CLOSED, PROMPT, QUESTION, READY, REPLY, SOCKET_CLOSED, WELCOME
from .support import (
    DEADLINE_SECONDS, LISTENING, SHARED_MEMORY, TWISTD, LineClient, ServerProcess, TerminalProcess, freePort,
    semaphoresOf, until, untilQueued, welcomed,
)


MODES = [m.name for m in allModes()]


class TerminalServer(TerminalProcess):
    """
    `twistd -n tpreactor ARGS` on a pseudo-terminal: what an operator at a
    shell sees.
    """

    def __init__(self, *args):
        self.port = freePort()
        TerminalProcess.__init__(self, [TWISTD, "--pidfile=", "-n", "tpreactor", "--port", str(self.port), *args])

    def __enter__(self):
        self.start()
        self.waitFor(LISTENING)
        self.waitFor(READY)  # Ctrl+C is ours from here on
        return self

    def __exit__(self, *exc):
        self.close()

    def interrupt(self):
        """
        Ctrl+C, and wait for the question.
        """
        mark = len(self.text)
        self.type(b"\x03")
        self.waitFor(PROMPT, mark)
        return mark

    def command(self, line, expect):
        """
        Type a console command and wait for C{expect} in what follows.
        """
        mark = len(self.text)
        self.type(line + "\n")
        self.waitFor(expect, mark)
        return self.text[mark:]

    def assertTerminalRestored(self):
        """
        The terminal is as the server found it: blocking, same attributes.
        """
        assert self.terminalRestored()



def refused(port):
    """
    True once a connection to C{port} is refused; an accepted one fails the test.
    """
    try:
        socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_SECONDS).close()
    except ConnectionRefusedError:
        return True
    raise AssertionError(f"port {port} still accepts connections")


# -- in a terminal ---------------------------------------------------------------------


def _serialWithHeldClients(port, held=2):
    """
    In serial mode, clients the server holds for their turn: A is served
    while the others connect (they wait in the kernel's backlog, the port
    does not accept); A leaves, B is served; B leaves, C is served and the
    accept that took C took the rest too (Twisted accepts more per wake-up
    once it has seen a busy port), who are now held, unwelcomed.
    Returns C and the held ones.
    """
    first = welcomed(port)
    others = [LineClient(port) for _ in range(2 + held)]
    for leaving in [first, others[0]]:
        if leaving is not first:
            assert leaving.line().startswith(WELCOME)
        leaving.ask("salir")
        leaving.close()
    served = others[1]
    assert served.line().startswith(WELCOME)
    return served, others[2:]


#: Twisted's lines about itself, which the operator's console never shows.
TWISTED_CHATTER = re.compile(r"starting on|Port \d+ Closed|starting up|reactor class|Main loop terminated|Server Shut Down|"
                             r"Starting factory|Stopping factory|\[-\]")
#: A console line's text, after twistd's time stamp and tag.
CONSOLE_LINE = re.compile(r"\d{4}-\d\d-\d\dT\S+ \[[^\]]+\] (.*?)\r?$", re.M)


def optionOneLines(text):
    """
    What the console says from option 1 on: its lines' texts, the time
    stamps and tags left out.
    """
    lines = CONSOLE_LINE.findall(text)
    return lines[lines.index(SOCKET_CLOSED):]


def optionOneWithTwoClients(*args):
    """
    A server on a terminal (C{args} its options) with two clients: option
    1, then each client says salir and goes; the server, once it exited
    with 0, and the clients' ports.
    """
    from .test_e2e_workers import workersReady

    with TerminalServer(*args) as server:
        if "--workers" in args:
            workersReady(server)
        clients = [welcomed(server.port) for _ in range(2)]
        ports = [c.localPort for c in clients]
        server.interrupt()
        server.command("1", SOCKET_CLOSED)
        for client in clients:
            client.ask("salir")
            client.close()
        assert server.wait() == 0
    return server, ports


class TerminalOperatorTests(SynchronousTestCase):
    def test_optionOneLinesInOrder(self):
        """
        Option 1 with two clients says, in this order: the socket is closed,
        the clients are still served, each one's leaving, that none is left,
        and the exit status; no line of Twisted's about itself reaches the
        console from start to end.
        """
        server, ports = optionOneWithTwoClients()
        self.assertEqual(optionOneLines(server.text), [
            SOCKET_CLOSED,
            "Se sigue atendiendo a los clientes conectados (2); el servidor termina cuando salga el último.",
            *(f"Cliente 127.0.0.1:{port} ha cerrado la conexión." for port in ports),
            "No queda ningún cliente: el servidor termina.",
            "Código de salida: 0.",
        ])
        self.assertIsNone(TWISTED_CHATTER.search(server.text), server.text)

    def test_optionOneLinesInOrderWithWorkers(self):
        """
        With --workers 2, option 1 says the same lines in the same order as
        one process (each worker's own with its number), the last client's
        leaving before the server says none is left, and no line of
        Twisted's about itself reaches the console.
        """
        server, ports = optionOneWithTwoClients("--workers", "2")
        lines = [re.sub(r"^\[w\d\] ", "", line) for line in optionOneLines(server.text)]
        # Two workers' lines about their own clients may come in either order.
        lines[2:4] = sorted(lines[2:4])
        self.assertEqual(lines, [
            SOCKET_CLOSED,
            "Se sigue atendiendo a los clientes conectados (2); el servidor termina cuando salga el último.",
            *sorted(f"Cliente 127.0.0.1:{port} ha cerrado la conexión." for port in ports),
            "No queda ningún cliente: el servidor termina.",
            "Código de salida: 0.",
        ])
        self.assertIsNone(TWISTED_CHATTER.search(server.text), server.text)

    def test_questionShowsTheThreeOptionsAndKeepsServing(self):
        """
        Ctrl+C shows the question, exactly; clients keep being served while it
        is open, and an empty answer resumes serving.
        """
        with TerminalServer() as server, welcomed(server.port) as client:
            mark = server.interrupt()
            assert QUESTION in server.text[mark:]
            assert client.ask("mientras").startswith(REPLY)
            assert "Se continúa atendiendo." in server.command("", "Se continúa atendiendo.")
            assert client.ask("después").startswith(REPLY)
            server.proc.send_signal(signal.SIGTERM)
            assert client.line() == CLOSED
            assert server.wait() == 0
            server.assertTerminalRestored()

    def test_questionInEnglish(self):
        """
        With --lang en the question is the contract's English one.
        """
        with TerminalServer("--lang", "en") as server:
            mark = len(server.text)
            server.type(b"\x03")
            server.waitFor("Choose an option: ", mark)
            text = server.text[mark:]
            assert "An interruption was detected. What do you want to do?\r\n" in text
            assert "1. Close only the server socket.\r\n" in text
            assert "2. Close all active connections and then the server socket.\r\n" in text
            assert "3. Exit without closing anything.\r\n" in text
            server.command("2", "Server socket closed.")
            assert "All active connections have been closed." in server.text
            assert server.wait() == 0

    def test_optionTwoAnswersWhatWasSentThenCloses(self):
        """
        Option 2: a message sent just before Ctrl+C is answered before the
        closing line; then the console says all is closed and the process exits
        0 with the terminal as it found it.
        """
        with TerminalServer("--work", "0.5") as server, welcomed(server.port) as client:
            client.send("justo antes\n")
            server.interrupt()
            server.type("2\n")
            assert client.line().startswith(REPLY)
            assert client.line() == CLOSED
            assert client.line() is None
            assert server.wait() == 0
            text = server.text
            assert "mensajes respondidos: 1" in text
            assert text.index(ALL_CLOSED) < text.index(SOCKET_CLOSED, text.index(ALL_CLOSED))
            assert "Traceback" not in text
            server.assertTerminalRestored()

    def test_optionOneRefusesNewClientsAndEndsWithTheLast(self):
        """
        Option 1: new connections are refused, the connected client is still
        served, and the process exits 0 when it leaves.
        """
        with TerminalServer() as server:
            client = welcomed(server.port)
            server.interrupt()
            server.command("1", SOCKET_CLOSED)
            assert refused(server.port)
            assert client.ask("sigo aquí").startswith(REPLY)
            assert server.proc.poll() is None
            client.ask("salir")
            client.close()
            assert server.wait() == 0
            server.assertTerminalRestored()

    def test_optionOneWithoutClientsExitsAtOnce(self):
        """
        Option 1 with nobody connected ends the process at once, with 0.
        """
        with TerminalServer() as server:
            server.interrupt()
            server.type("1\n")
            assert server.wait() == 0
            assert SOCKET_CLOSED in server.text

    def test_optionThreeExitsAtOnce(self):
        """
        Option 3 exits 0 at once, closing nothing (the client is not told), and
        leaves the terminal as it found it.
        """
        with TerminalServer("--work", "5") as server, welcomed(server.port) as client:
            client.send("trabajo largo\n")
            server.interrupt()
            started = time.monotonic()
            server.type("3\n")
            assert server.wait() == 0
            assert time.monotonic() - started < 3
            try:
                assert client.line() is None  # no closing line: the kernel just closed it
            except ConnectionResetError:
                pass
            assert CLOSED not in server.text
            server.assertTerminalRestored()

    def test_secondInterruptMeansTwo(self):
        """
        A second Ctrl+C while the question is open is option 2.
        """
        with TerminalServer() as server, welcomed(server.port) as client:
            server.interrupt()
            server.type(b"\x03")
            assert client.line() == CLOSED
            assert server.wait() == 0
            assert ALL_CLOSED in server.text

    def test_interruptDuringShutdownCutsItShort(self):
        """
        Ctrl+C during a graceful shutdown closes the connections at once, and
        the exit status is 1.
        """
        with TerminalServer("--work", "3", "--grace", "30") as server, welcomed(server.port) as client:
            client.send("lento\n")
            server.interrupt()
            server.command("2", "Cierre ordenado")
            mark = len(server.text)
            server.type(b"\x03")
            server.waitFor("Cierre acelerado por el operador", mark)
            assert client.line() == CLOSED
            assert server.wait() == 1
            assert f"sin sus respuestas: 127.0.0.1:{client.localPort}" in server.text
            server.assertTerminalRestored()

    def test_consoleListsClientsWithTheirPorts(self):
        """
        `clientes` counts the clients and shows one line per client starting
        with its address and port; `desconectar` closes one with the closing
        line; unknown commands and addresses get one line each.
        """
        with TerminalServer() as server:
            clients = [welcomed(server.port) for _ in range(3)]
            clients[0].ask("uno")
            out = server.command("clientes", f"127.0.0.1:{clients[2].localPort}")
            server.read(0.2)
            out = server.text[server.text.rindex("Conexiones activas"):]
            lines = [line for line in out.splitlines() if line.startswith("127.0.0.1:")]
            assert out.startswith("Conexiones activas: 3\r\n")
            assert [line.split()[0] for line in lines] == [f"127.0.0.1:{c.localPort}" for c in clients]
            assert "mensajes: 1" in lines[0] and "mensajes: 0" in lines[1]
            server.command(f"desconectar 127.0.0.1:{clients[1].localPort}", "Desconectando")
            assert clients[1].line() == CLOSED
            server.waitFor("desconectado por el servidor: orden del operador.")
            assert "No hay ningún cliente" in server.command("kick 127.0.0.1:1", "No hay ningún cliente")
            assert "ayuda" in server.command("hola", "Orden desconocida")
            assert "desconectar IP:PUERTO" in server.command("help", "Órdenes:")
            server.command("list", "Conexiones activas: 2")
            for client in clients:
                client.close()

    def test_serialListCountsWaitingAndOptionOneClosesThem(self):
        """
        Serial mode: `clientes` counts the clients held for their turn and
        the one still in the kernel's backlog; option 1 closes the held ones
        without a welcome (and says how many), resets the one in the backlog
        (and says so), and the one being served goes on.
        """
        with TerminalServer("--mode", "serial") as server:
            served, held = _serialWithHeldClients(server.port)
            inBacklog = LineClient(server.port)
            untilQueued(server.port, 1)
            out = server.command("clientes", "en la cola del kernel")
            server.read(0.2)
            out = server.text[server.text.rindex("Conexiones activas"):]
            assert out.startswith("Conexiones activas: 1, en espera: 3\r\n")
            assert f"127.0.0.1:{served.localPort}  conectado el" in out
            for client in held:
                assert f"127.0.0.1:{client.localPort}  en espera de su turno" in out
            assert "1 más en espera de su turno en la cola del kernel" in out
            server.interrupt()
            server.command("1", "Clientes en espera cerrados sin bienvenida: 2.")
            server.waitFor("Conexiones en la cola del kernel rechazadas al cerrar el socket: 1.")
            for client in held:
                assert client.line() == CLOSED
                assert client.line() is None
            try:
                assert inBacklog.line() is None
            except ConnectionResetError:
                pass
            assert refused(server.port)
            assert served.ask("sigo").startswith(REPLY)
            served.ask("salir")
            served.close()
            assert server.wait() == 0


# -- without a terminal ---------------------------------------------------------------


class SignalTests(SynchronousTestCase):
    def test_signalWithoutTerminalShutsDownGracefullyReactorSigterm(self):
        """
        Without a terminal SIGTERM means option 2: each client of a reactor
        server gets its pending replies, then the closing line; exit 0, no traceback.
        """
        self._signalWithoutTerminalShutsDownGracefully("reactor", signal.SIGTERM)

    def test_signalWithoutTerminalShutsDownGracefullyReactorSigint(self):
        """
        Without a terminal SIGINT means option 2 too, in reactor mode.
        """
        self._signalWithoutTerminalShutsDownGracefully("reactor", signal.SIGINT)

    def test_signalWithoutTerminalShutsDownGracefullySerialSigterm(self):
        """
        Without a terminal SIGTERM means option 2 in serial mode.
        """
        self._signalWithoutTerminalShutsDownGracefully("serial", signal.SIGTERM)

    def test_signalWithoutTerminalShutsDownGracefullySerialSigint(self):
        """
        Without a terminal SIGINT means option 2 in serial mode.
        """
        self._signalWithoutTerminalShutsDownGracefully("serial", signal.SIGINT)

    def test_signalWithoutTerminalShutsDownGracefullyProcessesSigterm(self):
        """
        Without a terminal SIGTERM means option 2 in processes mode.
        """
        self._signalWithoutTerminalShutsDownGracefully("processes", signal.SIGTERM)

    def test_signalWithoutTerminalShutsDownGracefullyProcessesSigint(self):
        """
        Without a terminal SIGINT means option 2 in processes mode.
        """
        self._signalWithoutTerminalShutsDownGracefully("processes", signal.SIGINT)

    def _signalWithoutTerminalShutsDownGracefully(self, mode, signum):
        if mode not in MODES:
            raise SkipTest(f"no {mode} mode in this build")
        with ServerProcess("--mode", mode, "--work", "0.3") as server:
            client = welcomed(server.port)
            client.send("uno\ndos\n")
            server.waitFor("dos")
            server.signal(signum)
            assert client.line().startswith(REPLY)
            assert client.line().startswith(REPLY)
            assert client.line() == CLOSED
            assert client.line() is None
            assert server.wait() == 0
            assert ALL_CLOSED in server.text and SOCKET_CLOSED in server.text
            assert "Traceback" not in server.text
            assert "Se ha detectado" not in server.text
            client.close()

    def test_halfClosedClientGetsItsRepliesThenTheClosingLine(self):
        """
        A client that has sent its lines and shut down its sending side while
        their work runs (C{nc -N}) still gets every reply, then the closing line.
        """
        with ServerProcess("--work", "0.3") as server:
            client = welcomed(server.port)
            client.send("uno\ndos\n")
            client.sock.shutdown(socket.SHUT_WR)
            server.waitFor("dos")
            server.signal(signal.SIGTERM)
            assert [client.line()[:len(REPLY)] for _ in range(2)] == [REPLY] * 2
            assert client.line() == CLOSED
            assert client.line() is None
            assert server.wait() == 0
            client.close()

    def test_sigtermInSerialModeClosesWaitingClientsWithoutWelcome(self):
        """
        Serial mode: SIGTERM answers the served client, and the ones held for
        their turn get the closing line and no welcome.
        """
        with ServerProcess("--mode", "serial") as server:
            served, held = _serialWithHeldClients(server.port)
            served.send("pendiente\n")
            server.waitFor("pendiente")
            server.signal(signal.SIGTERM)
            assert served.line().startswith(REPLY)
            assert served.line() == CLOSED
            for client in held:
                assert client.line() == CLOSED
                assert client.line() is None
            assert server.wait() == 0
            assert "(en espera: 2)" in server.text

    def test_waitingClientsThatTypedStillGetTheClosingLine(self):
        """
        Serial mode: clients that typed while waiting their turn (held by the
        server, or still in the kernel's backlog) get the closing line at
        SIGTERM, not a reset that would lose it.
        """
        with ServerProcess("--mode", "serial") as server:
            served, held = _serialWithHeldClients(server.port)
            inBacklog = LineClient(server.port)
            for client in [*held, inBacklog]:
                client.send("mientras espero\n")
            server.signal(signal.SIGTERM)
            assert served.line() == CLOSED
            for client in [*held, inBacklog]:
                assert client.line() == CLOSED
                assert client.line() is None
            assert server.wait() == 0

    def test_graceCutExitsOneAndNamesTheClient(self):
        """
        A graceful shutdown bounded by --grace: the client whose reply is still
        being worked on gets the closing line without it, the console names it,
        and the exit status is 1.
        """
        with ServerProcess("--grace", "0.5", "--work", "3") as server:
            client = welcomed(server.port)
            client.send("lento\n")
            server.waitFor("lento")
            server.signal(signal.SIGTERM)
            assert client.line() == CLOSED
            assert server.wait() == 1
            assert f"sin sus respuestas: 127.0.0.1:{client.localPort}" in server.text
            assert "Código de salida: 1." in server.text
            assert "Traceback" not in server.text
            client.close()

    def test_workThatOutlastsTheGraceIsAbandonedReactor(self):
        """
        Work in the thread pool still running when the grace period is over
        does not hold the exit: the pool gets a moment to stop, then its work
        is abandoned, and the exit status is 1.
        """
        self._workThatOutlastsTheGraceIsAbandoned("reactor")

    def test_workThatOutlastsTheGraceIsAbandonedProcesses(self):
        """
        Work in the process pool still running when the grace period is over
        does not hold the exit: the pool gets a moment to stop, then its work
        is abandoned (the worker processes killed), and the exit status is 1.
        """
        self._workThatOutlastsTheGraceIsAbandoned("processes")

    def _workThatOutlastsTheGraceIsAbandoned(self, mode):
        with ServerProcess("--mode", mode, "--grace", "0.5", "--work", "60") as server:
            client = welcomed(server.port)
            client.send("eterno\n")
            server.waitFor("eterno")
            server.signal(signal.SIGTERM)
            assert client.line() == CLOSED
            assert server.wait(deadline=10) == 1
            assert "se abandona el trabajo que seguía en curso" in server.text
            assert "Traceback" not in server.text
            client.close()

    def test_signalHeardDuringASerialBurst(self):
        """
        Serial mode runs the work in the reactor thread; a pasted burst of
        messages still lets a SIGTERM be heard between two of them, long
        before the burst is done, and every message is still answered.
        """
        with ServerProcess("--mode", "serial", "--work", "0.2") as server:
            client = welcomed(server.port)
            client.send("".join(f"mensaje {n}\n" for n in range(30)))
            server.waitFor("mensaje 1")
            server.signal(signal.SIGTERM)
            server.waitFor("Señal SIGTERM recibida", deadline=1.5)  # the burst takes 6 s
            assert [client.line()[:len(REPLY)] for _ in range(30)] == [REPLY] * 30
            assert client.line() == CLOSED
            assert server.wait() == 0
            client.close()

    def test_sigtermDuringShutdownCutsItShort(self):
        """
        A second SIGTERM during the graceful shutdown closes at once: exit 1.
        """
        with ServerProcess("--grace", "30", "--work", "3") as server:
            client = welcomed(server.port)
            client.send("lento\n")
            server.waitFor("lento")
            server.signal(signal.SIGTERM)
            server.waitFor("Cierre ordenado")
            server.signal(signal.SIGTERM)
            assert client.line() == CLOSED
            assert server.wait() == 1
            assert "Cierre acelerado por el operador" in server.text
            client.close()

    def test_processesWorkersDoNotSeeCtrlC(self):
        """
        In processes mode Ctrl+C reaches the server only: while the question is
        open and after it the workers still answer, and option 2 stops the pool.
        """
        if "processes" not in MODES:
            raise SkipTest("no processes mode in this build")
        with TerminalServer("--mode", "processes", "--processes", "2", "--work", "0.2") as server, \
                welcomed(server.port) as client:
            assert client.ask("antes").startswith(REPLY)
            server.interrupt()
            assert client.ask("durante").startswith(REPLY)
            server.command("", "Se continúa atendiendo.")
            assert client.ask("después").startswith(REPLY)
            assert "Error interno" not in server.text
            server.interrupt()
            server.type("2\n")
            assert client.line() == CLOSED
            assert server.wait() == 0
            assert "Grupo de trabajo detenido." in server.text
            assert "Traceback" not in server.text

    def test_optionThreeLeavesNoWorkersBehind(self):
        """
        Option 3 in processes mode exits at once, the worker processes do not
        outlive the server, and the pool's semaphores are released.
        """
        if "processes" not in MODES:
            raise SkipTest("no processes mode in this build")
        if not os.path.isdir(SHARED_MEMORY):
            raise SkipTest("no /dev/shm to look for semaphores in")
        from tpreactor.shutdown.processtree import descendants

        with TerminalServer("--mode", "processes", "--processes", "2", "--work", "0.1") as server, \
                welcomed(server.port) as client:
            assert client.ask("hola").startswith(REPLY)
            workers = descendants(server.proc.pid)
            assert workers
            pool = semaphoresOf(server.proc.pid)
            assert pool
            server.interrupt()
            server.type("3\n")
            assert server.wait() == 0
            until(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in workers))
        # The pool's own semaphores are released, not left in /dev/shm (where
        # the resource tracker, if it outlived the server, would report them
        # leaked); other processes' come and go meanwhile and are no concern.
        assert not [path for path in pool if os.path.exists(path)]

    def test_sigintIgnoredAtStartStillShutsDown(self):
        """
        A server started with SIGINT ignored (as a script's "&" does) still
        shuts down gracefully on SIGINT.
        """
        server = ServerProcess()
        server.args = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *server.args]
        with server:
            client = welcomed(server.port)
            server.signal(signal.SIGINT)
            assert client.line() == CLOSED
            assert server.wait() == 0
            client.close()
