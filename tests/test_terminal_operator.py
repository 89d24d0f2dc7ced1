"""
Tests for L{tpreactor.terminal.operator}, in memory: the operator's state
machine (the Ctrl+C question, its three answers, SIGINT and SIGTERM) and the
worker processes found through /proc.
"""

import os
import shutil
import signal
import tempfile

from twisted.internet import defer
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from zope.interface import implementer
from zope.interface.verify import verifyObject

from tpreactor.model import IServerModel
from tpreactor.shutdown import descendants
from tpreactor.terminal.operator import ASKING, DRAINING, SERVING, STOPPING, Operator

from .memory import Server, serialServer
from .contract import CLOSED
from .shutdownfakes import FakeTerminal, messages, timeServer


@implementer(IServerModel)
class FakeServer:
    """
    A server (L{IServerModel}) over the in-memory server's own, recording
    what the operator asks of it.
    """

    def __init__(self, memory):
        self.real = memory.model()
        self.catalogue = self.real.catalogue
        self.modeName = self.real.modeName
        self.stopping = False
        self.listening = True
        self.serving = True
        self.hurried = False
        self.exitStatus = 0
        self.calls = []

    holdsClients = property(lambda self: self.real.holdsClients)

    def state(self):
        return self.real.state()

    def disconnect(self, peer):
        return self.real.disconnect(peer)

    def whenEmpty(self):
        return self.real.whenEmpty()

    def startRecording(self):
        pass

    def stopAccepting(self):
        self.calls.append("stopAccepting")
        return defer.succeed((0, None, len(self.real.factory.connections)))

    def hurry(self):
        self.calls.append("hurry")
        return True

    def endNow(self):
        self.calls.append("endNow")


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
        """
        Without a terminal there is no console.
        """
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
        """
        A second Ctrl+C while the question is open withdraws it and is option 2.
        """
        op = self.operator()
        op.interrupted()
        op.interrupted()
        self.assertEqual(self.console.withdrawn, 1)
        self.assertTrue(self.reactor.hasStopped)

    def test_optionThreeExitsAtOnce(self):
        """
        Option 3 ends the workers and exits 0 at once.
        """
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
        self.assertEqual(self.server.calls, ["stopAccepting"])
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
        """
        Option 1 with no client connected stops the reactor at once.
        """
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
        """
        Without a terminal SIGINT is option 2: the reactor stops.
        """
        op = self.operator(interactive=False)
        op.interrupted()
        self.assertTrue(self.reactor.hasStopped)

    def test_sigtermNeverAsks(self):
        """
        SIGTERM stops the reactor without asking.
        """
        op = self.operator()
        op.terminated()
        self.assertFalse(self.console.asking)
        self.assertTrue(self.reactor.hasStopped)

    def test_sigtermWhileAsking(self):
        """
        SIGTERM while the question is open withdraws it and stops the reactor.
        """
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


class OperatorCatalogueTests(SynchronousTestCase):
    def operator(self, memory):
        self.memory = memory
        self.server = FakeServer(memory)
        self.exit = FakeExit()
        self.console = FakeConsole()
        return Operator(self.server, MemoryReactorClock(), terminal=FakeTerminal(), exitStatus=self.exit,
                        interactive=lambda: True, openConsole=lambda: self.console, signals=FakeSignals())

    def test_textsAreTheFactorys(self):
        """
        The operator speaks the server's language: its factory's catalogue.
        """
        op = self.operator(Server(lang="en"))
        self.assertIs(op.catalogue, self.memory.factory.catalogue)
        with capturedLogs() as events:
            op.exitNow()
        self.assertEqual(messages(events), ["Exiting without closing anything."])

    def test_optionThreeEndsTheServersProcesses(self):
        """
        Option 3 has the server end the processes it started (see
        L{IServerModel.endNow}), then exits 0.
        """
        op = self.operator(Server())
        op.exitNow()
        self.assertEqual(self.server.calls, ["endNow"])
        self.assertEqual(self.exit.now_, [0])

    def test_fakeIsAModel(self):
        """
        The fake the operator is tested with is a whole server model.
        """
        self.assertTrue(verifyObject(IServerModel, FakeServer(Server())))

    def test_optionOneWithoutHeldClients(self):
        """
        Option 1 in a mode that holds no clients says nothing of held ones.
        """
        op = self.operator(Server())
        op.server = timeServer(self.memory)[0]
        self.memory.connect()
        with capturedLogs() as events:
            op.closeSocketOnly()
        text = messages(events)
        self.assertIn("Socket del servidor cerrado.", text)
        self.assertFalse(any("en espera" in t for t in text), text)
        self.assertTrue(any("clientes conectados (1)" in t for t in text), text)


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
        """
        Where there is no /proc no process is found.
        """
        self.assertEqual(descendants(1, os.path.join(tempfile.gettempdir(), "no-such-proc")), [])


class MaskingSignals(FakeSignals):
    """
    Fake signals that also record which signals are blocked.
    """

    def __init__(self):
        FakeSignals.__init__(self)
        self.blocked = set()
        self.masks = []

    def pthread_sigmask(self, how, signals):
        self.masks.append((how, set(signals)))
        if how == signal.SIG_BLOCK:
            self.blocked |= set(signals)
        else:
            self.blocked -= set(signals)


class HangupTests(SynchronousTestCase):
    operator = OperatorTests.operator

    def test_hangupIsOursBeforeTheServicesStart(self):
        """
        SIGHUP is taken over, and blocked, before any service starts (so the
        processes they start inherit the block), and unblocked once they
        have: the operator is the server's last child.
        """
        signals = MaskingSignals()
        op = Operator(FakeServer(Server()), MemoryReactorClock(), terminal=FakeTerminal(), exitStatus=FakeExit(),
                      interactive=lambda: False, signals=signals)
        op.privilegedStartService()
        self.assertEqual(signals.handlers[signal.SIGHUP], op._signalled)
        self.assertEqual(signals.blocked, {signal.SIGHUP})
        op.startService()
        self.assertEqual(signals.blocked, set())
        self.assertEqual(signals.masks, [(signal.SIG_BLOCK, {signal.SIGHUP}), (signal.SIG_UNBLOCK, {signal.SIGHUP})])

    def test_hangupIsOptionTwo(self):
        """
        SIGHUP never asks: the reactor stops, and the console names the signal.
        """
        op = self.operator()
        with capturedLogs() as events:
            op.hungUp()
        self.assertFalse(self.console.asking)
        self.assertTrue(self.reactor.hasStopped)
        self.assertEqual(messages(events), ["Señal SIGHUP recibida: cierre ordenado."])

    def test_hangupWhileAsking(self):
        """
        SIGHUP while the question is open withdraws it and stops the reactor.
        """
        op = self.operator()
        op.interrupted()
        op.hungUp()
        self.assertEqual(self.console.withdrawn, 1)
        self.assertTrue(self.reactor.hasStopped)

    def test_hangupDuringShutdownLetsItGoOn(self):
        """
        A SIGHUP during the graceful shutdown (one hang-up often sends two)
        does not cut it short; the console says it goes on.
        """
        op = self.operator()
        op.hungUp()
        self.server.stopping = True
        with capturedLogs() as events:
            op.hungUp()
        self.assertEqual(self.server.calls, [])
        self.assertEqual(messages(events), ["Señal SIGHUP durante el cierre: el cierre ordenado sigue su curso."])

    def test_hangupsAreNoLastResort(self):
        """
        However many SIGHUPs come during the shutdown, they never end the
        process at once (the last resort of repeated Ctrl+C and SIGTERM).
        """
        op = self.operator()
        op.hungUp()
        scheduled = []
        self.reactor.callFromThread = lambda f, *args: scheduled.append(f)
        for _ in range(5):
            op._signalled(signal.SIGHUP, None)
        self.assertEqual(self.exit.now_, [])
        self.assertEqual(scheduled, [op.hungUp] * 5)
