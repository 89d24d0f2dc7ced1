"""
How the server ends, in memory: the graceful shutdown and its grace period
(TimeServer on a Clock), option 1, the operator's state machine, the exit
status and the terminal's flags.
"""

import fcntl
import os
import pty
import shutil
import signal
import socket
import sys
import tempfile
import termios

from twisted.application.service import Service
from twisted.internet import defer
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.console import consoleTexts
from tpreactor.service import ABORT_AFTER_SECONDS, TimeServer, queuedConnections
from tpreactor.shutdown import (
    ASKING,
    DRAINING,
    SERVING,
    STOPPING,
    ExitStatus,
    Operator,
    Terminal,
    descendants,
)

from .memory import Server, serialServer

CLOSED = "Servidor: El servidor cerró la conexión."
REPLY = "Mensaje Recibido el"
WELCOME = "Servidor: Conexión establecida el"


class HeldExecutor:
    """
    An executor whose work finishes only when the test says so.
    """

    inline = False

    def __init__(self):
        self.waiting = []

    def ready(self, protocol):
        self.waiting.append(protocol)

    def finishAll(self):
        while self.waiting:
            protocol = self.waiting.pop(0)
            texts = protocol.takeBatch(64)
            protocol.batchDone([None] * len(texts))


class FakeListener(Service):
    """
    A listening service whose port closes at once.
    """

    def __init__(self):
        self.port = object()
        self.stopped = 0

    def stopService(self):
        Service.stopService(self)
        self.stopped += 1
        self.port = None


def timeServer(memory):
    listener = FakeListener()
    server = TimeServer(memory.factory, None, [listener], memory.clock)
    return server, listener


def messages(events):
    from twisted.logger import formatEvent

    return [formatEvent(e) for e in events]


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


class CloseListenersTests(SynchronousTestCase):
    def test_reactorMode(self):
        """
        Option 1 stops the listeners and leaves the connected clients alone.
        """
        memory = Server()
        server, listener = timeServer(memory)
        client = memory.connect()
        client.lines()
        self.assertEqual(self.successResultOf(server.closeListeners()), (0, None))
        self.assertEqual(listener.stopped, 1)
        self.assertFalse(client.closing)
        self.assertFalse(server.listening)

    def test_serialClosesHeldClients(self):
        """
        In serial mode option 1 closes the held clients without a welcome and
        counts them; the one being served goes on.
        """
        memory = serialServer()
        server, _ = timeServer(memory)
        served = memory.connect()
        held = [memory.connect(), memory.connect()]
        closed, backlog = self.successResultOf(server.closeListeners())
        self.assertEqual(closed, 2)
        for client in held:
            self.assertEqual(client.lines(), [CLOSED])
            self.assertTrue(client.closing)
        self.assertFalse(served.closing)

    def test_thenStopServiceIsQuiet(self):
        """
        After option 1, the stop when the last client has left does not
        announce a shutdown of connections that are not there.
        """
        memory = Server()
        server, listener = timeServer(memory)
        server.closeListeners()
        with capturedLogs() as events:
            self.successResultOf(server.stopService())
        self.assertEqual(messages(events), [])

    def test_queuedConnections(self):
        """
        On Linux the connections waiting in a listening socket's accept
        queue are counted.
        """
        if not sys.platform.startswith("linux"):
            raise self.skipTest("TCP_INFO on listening sockets is Linux only")
        listening = socket.socket()
        self.addCleanup(listening.close)
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)

        class Port:
            socket = listening

        self.assertEqual(queuedConnections(Port()), 0)
        clients = [socket.create_connection(listening.getsockname()) for _ in range(2)]
        for c in clients:
            self.addCleanup(c.close)
        self.assertEqual(queuedConnections(Port()), 2)
        self.assertIsNone(queuedConnections(object()))


# -- the operator -----------------------------------------------------------------------


class FakeServer:
    """
    The parts of L{TimeServer} the operator uses, recording the calls.
    """

    def __init__(self, memory):
        self.factory = memory.factory
        self.texts = consoleTexts(memory.factory.catalogue.lang)
        self.stopping = False
        self.hurried = False
        self.exitStatus = 0
        self.calls = []

    def closeListeners(self):
        self.calls.append("closeListeners")
        return defer.succeed((0, None))

    def hurry(self):
        self.calls.append("hurry")
        return True


class FakeConsole:
    def __init__(self):
        self.asking = False
        self.answer = None
        self.said = []
        self.withdrawn = 0

    def ask(self, answered):
        self.asking = True
        self.answer = answered

    def withdraw(self):
        self.asking = False
        self.withdrawn += 1

    def say(self, text):
        self.said.append(text)

    def reply(self, text):
        self.asking = False
        self.answer(text)


class FakeExit:
    def __init__(self):
        self.code = 0
        self.now_ = []
        self.registered = False

    def register(self):
        self.registered = True

    def now(self, code):
        self.now_.append(code)


class FakeTerminal:
    def __init__(self):
        self.saved = self.restored = 0

    def save(self):
        self.saved += 1

    def restore(self):
        self.restored += 1


class FakeSignals:
    def __init__(self, sigint=signal.default_int_handler):
        self.handlers = {signal.SIGINT: sigint}

    def getsignal(self, signum):
        return self.handlers.get(signum)

    def signal(self, signum, handler):
        self.handlers[signum] = handler


class OperatorTests(SynchronousTestCase):
    def operator(self, interactive=True, memory=None, signals=None):
        self.memory = memory or Server()
        self.reactor = MemoryReactorClock()
        self.server = FakeServer(self.memory)
        self.console = FakeConsole()
        self.exit = FakeExit()
        self.terminal = FakeTerminal()
        self.signals = signals or FakeSignals()
        self.workersEnded = []
        op = Operator(self.server, self.reactor, terminal=self.terminal, exitStatus=self.exit,
                      interactive=lambda: interactive, openConsole=lambda: self.console,
                      signals=self.signals, endWorkers=lambda: self.workersEnded.append(True))
        op.startService()
        self.reactor.run()  # runs the when-running hooks, then "stops"
        self.reactor.running = True
        self.reactor.hasStopped = False
        return op

    def test_beginTakesOverSignals(self):
        """
        Once the reactor runs, SIGINT and SIGTERM are ours, the terminal
        state is saved and the exit status is registered.
        """
        op = self.operator()
        self.assertEqual(self.signals.handlers[signal.SIGINT], op._signalled)
        self.assertEqual(self.signals.handlers[signal.SIGTERM], op._signalled)
        self.assertEqual(self.terminal.saved, 1)
        self.assertTrue(self.exit.registered)
        self.assertIs(op.console, self.console)

    def test_ignoredSigintIsTakenOver(self):
        """
        A SIGINT that came ignored (a job a script started with "&") is ours
        too: without a terminal it means a graceful shutdown.
        """
        op = self.operator(signals=FakeSignals(sigint=signal.SIG_IGN))
        self.assertEqual(self.signals.handlers[signal.SIGINT], op._signalled)

    def test_noConsoleWithoutTerminal(self):
        op = self.operator(interactive=False)
        self.assertIsNone(op.console)

    def test_interruptAsks(self):
        """
        In a terminal Ctrl+C asks, and the server keeps running.
        """
        op = self.operator()
        op.interrupted()
        self.assertTrue(self.console.asking)
        self.assertEqual(op.state, ASKING)
        self.assertFalse(self.reactor.hasStopped)

    def test_anythingElseResumes(self):
        """
        An answer that is no option, empty included, resumes serving.
        """
        op = self.operator()
        for answer in ("", "4", "dos"):
            op.interrupted()
            self.console.reply(answer)
            self.assertEqual(op.state, SERVING)
        self.assertEqual(self.console.said, ["Se continúa atendiendo."] * 3)
        self.assertFalse(self.reactor.hasStopped)

    def test_optionTwoStopsTheReactor(self):
        """
        Option 2 is Twisted's own shutdown: the reactor stops.
        """
        op = self.operator()
        op.interrupted()
        self.console.reply("2")
        self.assertTrue(self.reactor.hasStopped)
        self.assertEqual(op.state, STOPPING)

    def test_secondInterruptMeansTwo(self):
        op = self.operator()
        op.interrupted()
        op.interrupted()
        self.assertEqual(self.console.withdrawn, 1)
        self.assertTrue(self.reactor.hasStopped)

    def test_optionThreeExitsAtOnce(self):
        op = self.operator()
        op.interrupted()
        self.console.reply("3")
        self.assertEqual(self.exit.now_, [0])
        self.assertEqual(self.workersEnded, [True])

    def test_optionOneEndsWithTheLastClient(self):
        """
        Option 1 closes the listeners and stops the reactor once the last
        client has left.
        """
        op = self.operator()
        client = self.memory.connect()
        op.interrupted()
        self.console.reply("1")
        self.assertEqual(self.server.calls, ["closeListeners"])
        self.assertEqual(op.state, DRAINING)
        self.assertFalse(self.reactor.hasStopped)
        client.lose()
        self.assertTrue(self.reactor.hasStopped)

    def test_optionOneInSerialMode(self):
        """
        Option 1 in serial mode says how many held clients it closed, and
        counts only the one still served as connected.
        """
        memory = serialServer()
        op = self.operator(memory=memory)
        op.server = server = timeServer(memory)[0]
        served, held = memory.connect(), memory.connect()
        with capturedLogs() as events:
            op.interrupted()
            self.console.reply("1")
        text = messages(events)
        self.assertIn("Socket del servidor cerrado.", text)
        self.assertIn("Clientes en espera cerrados sin bienvenida: 1.", text)
        self.assertTrue(any("clientes conectados (1)" in t for t in text), text)
        self.assertEqual(held.lines(), [CLOSED])
        held.lose()
        self.assertFalse(self.reactor.hasStopped)
        served.lose()
        self.assertTrue(self.reactor.hasStopped)
        self.assertFalse(server.stopping)

    def test_optionOneWithNobodyStopsAtOnce(self):
        op = self.operator()
        op.interrupted()
        self.console.reply("1")
        self.assertTrue(self.reactor.hasStopped)

    def test_lastLeavesWhileAsking(self):
        """
        If the last client leaves while the question is open after option 1,
        a resuming answer ends the process.
        """
        op = self.operator()
        client = self.memory.connect()
        op.interrupted()
        self.console.reply("1")
        op.interrupted()
        client.lose()
        self.assertFalse(self.reactor.hasStopped)
        self.console.reply("")
        self.assertTrue(self.reactor.hasStopped)

    def test_withoutTerminalSigintIsTwo(self):
        op = self.operator(interactive=False)
        op.interrupted()
        self.assertTrue(self.reactor.hasStopped)

    def test_sigtermNeverAsks(self):
        op = self.operator()
        op.terminated()
        self.assertFalse(self.console.asking)
        self.assertTrue(self.reactor.hasStopped)

    def test_sigtermWhileAsking(self):
        op = self.operator()
        op.interrupted()
        op.terminated()
        self.assertEqual(self.console.withdrawn, 1)
        self.assertTrue(self.reactor.hasStopped)

    def test_signalDuringShutdownHurries(self):
        """
        Ctrl+C or SIGTERM during the graceful shutdown cuts it short.
        """
        op = self.operator()
        op.terminated()
        self.server.stopping = True
        op.interrupted()
        op.terminated()
        self.assertEqual(self.server.calls, ["hurry", "hurry"])

    def test_afterShutdown(self):
        """
        After the shutdown the exit status is the server's and the terminal
        is restored.
        """
        op = self.operator()
        self.server.exitStatus = 1
        op.afterShutdown()
        self.assertEqual(self.exit.code, 1)
        self.assertEqual(self.terminal.restored, 1)
        self.assertIn(op.afterShutdown, [t[0] for t in self.reactor.triggers["after"]["shutdown"]])


class DescendantsTests(SynchronousTestCase):
    def test_childrenAndGrandchildren(self):
        """
        The processes a process started, and the ones they started, are found
        through /proc.
        """
        proc = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, proc)
        for pid, ppid in [(10, 1), (11, 10), (12, 11), (13, 1), (14, 10)]:
            os.mkdir(os.path.join(proc, str(pid)))
            with open(os.path.join(proc, str(pid), "stat"), "w") as f:
                f.write(f"{pid} (python3 (x)) S {ppid} 0 0\n")
        os.mkdir(os.path.join(proc, "self"))
        self.assertEqual(sorted(descendants(10, proc)), [11, 12, 14])
        self.assertEqual(descendants(12, proc), [])

    def test_noProc(self):
        self.assertEqual(descendants(1, os.path.join(tempfile.gettempdir(), "no-such-proc")), [])


class ExitStatusTests(SynchronousTestCase):
    def test_zeroLeavesTheExitToPython(self):
        terminal = FakeTerminal()
        exits = []
        status = ExitStatus(terminal, exit=exits.append, flush=lambda: None)
        status.atExit()
        self.assertEqual(exits, [])
        self.assertEqual(terminal.restored, 1)

    def test_nonZero(self):
        """
        A non-zero status ends the process with it, terminal restored first.
        """
        terminal = FakeTerminal()
        exits = []
        flushed = []
        status = ExitStatus(terminal, exit=exits.append, flush=lambda: flushed.append(True))
        status.code = 1
        status.atExit()
        self.assertEqual(exits, [1])
        self.assertEqual(flushed, [True])
        self.assertGreaterEqual(terminal.restored, 1)


class TerminalTests(SynchronousTestCase):
    def setUp(self):
        self.master, self.slave = pty.openpty()
        self.addCleanup(os.close, self.master)
        self.addCleanup(os.close, self.slave)

    def nonBlocking(self):
        return bool(fcntl.fcntl(self.slave, fcntl.F_GETFL) & os.O_NONBLOCK)

    def test_restoresBlocking(self):
        """
        A terminal made non-blocking after the server started is made
        blocking again.
        """
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        os.set_blocking(self.slave, False)
        terminal.restore()
        self.assertFalse(self.nonBlocking())

    def test_keepsWhatItFound(self):
        """
        A terminal that was non-blocking to begin with stays so.
        """
        os.set_blocking(self.slave, False)
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        terminal.restore()
        self.assertTrue(self.nonBlocking())

    def test_restoresAttributes(self):
        """
        Terminal attributes changed meanwhile are put back.
        """
        before = termios.tcgetattr(self.slave)
        terminal = Terminal(fds=(self.slave,))
        terminal.save()
        changed = termios.tcgetattr(self.slave)
        changed[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, changed)
        terminal.restore()
        self.assertEqual(termios.tcgetattr(self.slave), before)


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
        self.server = TimeServer(self.memory.factory, self.pool, [FakeListener()], self.memory.clock)

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
