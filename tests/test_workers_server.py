"""
The main process of C{--workers}: the option, the service it builds, the
console and the shutdown acting on every worker, and the replacement of a
worker that dies; the workers themselves are fakes here.
"""

import json

from twisted.internet import defer
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.factory import Settings
from tpreactor.modes import modeNamed
from tpreactor.tap import Options, makeService
from tpreactor.workers import checkWorkers, workerCount
from tpreactor.workers.commands import CloseListeners, Hurry, Kick, ListClients, Stop
from tpreactor.workers.operator import WorkersConsole, WorkersOperator
from tpreactor.workers.server import MainView, WorkersServer
from tpreactor.workers.status import GatheredStatusService
from tpreactor.workers.supervisor import Answers

from .shutdownfakes import FakeListener, messages


def parse(*args):
    options = Options()
    options.parseOptions(list(args))
    return options


SILENT = object()


class FakeWorkers:
    """
    A supervisor whose workers answer what the test says.
    """

    exitStatus = 0
    replacing = True

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.told = []
        self.stopped = []
        self.killed = 0

    def tell(self, command, **kwargs):
        self.told.append((command, kwargs))
        return defer.succeed(list(self.answers.get(command, [])))

    def ask(self, command, seconds, **kwargs):
        """
        As L{tell}, with an answer of C{None} for a worker gone and
        C{SILENT} for one that did not answer (its pid is 100 + its number).
        """
        self.told.append((command, kwargs))
        answers = Answers([], [])
        for number, answer in self.answers.get(command, []):
            if answer is SILENT:
                answers.silent.append((number, 100 + number))
            elif answer is not None:
                answers.answered.append((number, answer))
        return defer.succeed(answers)

    def startAll(self):
        self.started = True

    def stopAll(self, command, seconds):
        self.stopped.append((command, seconds))
        return defer.succeed(None)

    def killAll(self):
        self.killed += 1


def mainServer(workers):
    view = MainView(Settings(), None, workers)
    listener = FakeListener()
    server = WorkersServer(view, [listener], workers, MemoryReactorClock())
    return server, listener


class OptionsTests(SynchronousTestCase):
    def test_defaultIsOneProcess(self):
        """
        --workers is 1 by default: today's single process.
        """
        self.assertEqual(parse()["workers"], 1)
        self.assertNotIsInstance(makeService(parse(), MemoryReactorClock()), WorkersServer)

    def test_serialRefusesInOneLine(self):
        """
        Serial mode refuses --workers above 1 (and 0 on more than one core) with one line.
        """
        with self.assertRaises(usage.UsageError) as raised:
            parse("--mode", "serial", "--workers", "2", "--lang", "en")
        self.assertEqual(str(raised.exception),
                         "serial mode does not take --workers above 1: apparent concurrency serves one client "
                         "at a time.")
        self.assertEqual(parse("--mode", "serial", "--workers", "1")["workers"], 1)
        serial = modeNamed("serial")
        self.assertRaises(usage.UsageError, checkWorkers, 0, serial, "es", [], cores=2)
        checkWorkers(0, serial, "es", [], cores=1)

    def test_statusWithWorkers(self):
        """
        --status with several workers is taken: the main process serves it, gathering from the workers.
        """
        reactor = MemoryReactorClock()
        service = makeService(parse("--workers", "2", "-p", "7001", "--status", "7002"), reactor)
        status = service.getServiceNamed("status")
        self.assertIsInstance(status, GatheredStatusService)
        self.assertEqual(status.description, "tcp:7002:interface=127.0.0.1")
        self.assertTrue(json.loads(service.workers._describe(1, []))["status"])

    def test_declaredByTheMode(self):
        """
        Whether a mode takes workers is the mode's own declaration.
        """
        self.assertEqual({m: modeNamed(m).allowsWorkers for m in ("reactor", "serial", "processes")},
                         {"reactor": True, "serial": False, "processes": True})

    def test_onlyShareableEndpoints(self):
        """
        Workers share tcp, tcp6 and unix sockets (haproxy: over them), not ssl.
        """
        parse("--workers", "2", "--listen", "haproxy:tcp:7000", "--listen", "unix:/tmp/tpw.sock")
        with self.assertRaises(usage.UsageError) as raised:
            parse("--workers", "2", "--listen", "ssl:7000:privateKey=k.pem", "--lang", "en")
        self.assertIn("--workers cannot share ssl:7000", str(raised.exception))

    def test_helpSaysHowLimitsCount(self):
        """
        --help says what --workers 0 means and that the limits count the whole server.
        """
        text = " ".join(str(Options("en")).split())
        self.assertIn("--workers= Processes that share the listening sockets in reactor or processes mode; "
                      "0 means one per core", text)
        self.assertIn("--max-per-ip count the whole server's clients", text)
        self.assertIn("--max-per-ip cuentan los clientes de todo el servidor", " ".join(str(Options("es")).split()))

    def test_workerCount(self):
        """
        0 is one per core.
        """
        self.assertEqual((workerCount(3), workerCount(0, cores=4)), (3, 4))

    def test_makeService(self):
        """
        --workers 2 builds the main process: it listens once, with the operator over every worker.
        """
        reactor = MemoryReactorClock()
        service = makeService(parse("--workers", "2", "-p", "7001"), reactor)
        self.assertIsInstance(service, WorkersServer)
        self.assertEqual((service.workers.count, service.workers.timeout), (2, 10.0))
        self.assertEqual(makeService(parse("--workers", "2", "--worker-timeout", "3"), reactor).workers.timeout, 3.0)
        self.assertIsInstance(service.getServiceNamed("operator"), WorkersOperator)
        self.assertIsInstance(service.getServiceNamed("operator").consoleClass(service.factory), WorkersConsole)


class ConsoleTests(SynchronousTestCase):
    def console(self, answers):
        workers = FakeWorkers(answers)
        console = WorkersConsole(MainView(Settings(), None, workers))
        said = []
        console.say = said.append
        return console, said, workers

    def test_listClientsOfEveryWorker(self):
        """
        clientes: the total, then each worker's lines, each naming its worker.
        """
        console, said, _ = self.console({ListClients: [
            (1, {"served": 1, "lines": ["127.0.0.1:1  a"]}),
            (2, {"served": 2, "lines": ["127.0.0.1:2  b", "127.0.0.1:3  c"]}),
            (3, None),
        ]})
        console.lineReceived(b"clientes")
        self.assertEqual(said, ["Conexiones activas: 3\n127.0.0.1:1  a  [w1]\n127.0.0.1:2  b  [w2]\n"
                                "127.0.0.1:3  c  [w2]"])

    def test_kickReachesTheRightWorker(self):
        """
        desconectar: every worker is asked, the one that has the client answers.
        """
        console, said, workers = self.console({Kick: [(1, {"peer": ""}), (2, {"peer": "127.0.0.1:5"})]})
        console.lineReceived(b"desconectar 127.0.0.1:5")
        self.assertEqual(workers.told, [(Kick, {"peer": "127.0.0.1:5"})])
        self.assertEqual(said, ["Desconectando a 127.0.0.1:5.  [w2]"])

    def test_kickUnknown(self):
        """
        desconectar of a client no worker has: one line saying so.
        """
        console, said, _ = self.console({Kick: [(1, {"peer": ""})]})
        console.lineReceived(b"desconectar 127.0.0.1:9")
        self.assertEqual(said, ["No hay ningún cliente conectado desde 127.0.0.1:9."])


    def test_listNamesTheSilentWorker(self):
        """
        clientes with a worker that does not answer: the others' clients, and a line naming the silent one.
        """
        console, said, _ = self.console({ListClients: [
            (1, SILENT),
            (2, {"served": 1, "lines": ["127.0.0.1:2  b"]}),
        ]})
        console.lineReceived(b"clientes")
        self.assertEqual(said, ["Conexiones activas: 1\n127.0.0.1:2  b  [w2]\n"
                                "[w1] El proceso trabajador (pid 101) no respondió en 1 s: esta respuesta no incluye "
                                "a sus clientes."])

    def test_kickNamesTheSilentWorker(self):
        """
        desconectar with a worker that does not answer: what the others said, and a line naming the silent one.
        """
        console, said, _ = self.console({Kick: [(1, {"peer": ""}), (2, SILENT)]})
        console.lineReceived(b"desconectar 127.0.0.1:9")
        self.assertEqual(said, ["No hay ningún cliente conectado desde 127.0.0.1:9.",
                                "[w2] El proceso trabajador (pid 102) no respondió en 1 s: esta respuesta no incluye "
                                "a sus clientes."])

    def test_consoleWaitsAboutASecond(self):
        """
        clientes and desconectar ask with a bound of about a second, not for ever.
        """
        console, said, workers = self.console({})
        asked = []
        workers.ask = lambda command, seconds, **kwargs: asked.append(seconds) or defer.succeed(Answers([], []))
        console.lineReceived(b"clientes")
        console.lineReceived(b"desconectar 127.0.0.1:9")
        self.assertEqual(asked, [1.0, 1.0])


class WorkersServerTests(SynchronousTestCase):
    def test_closeListeners(self):
        """
        Option 1: every worker stops accepting, so does the main process, and
        the clients still served are counted.
        """
        workers = FakeWorkers({CloseListeners: [(1, {"waiting": 0, "backlog": None, "served": 2}),
                                                (2, {"waiting": 0, "backlog": None, "served": 1})]})
        server, listener = mainServer(workers)
        server.startService()
        results = []
        server.closeListeners().addCallback(results.append)
        self.assertEqual(results, [(0, None)])
        self.assertEqual(len(server.factory.connections), 3)
        self.assertEqual(listener.stopped, 1)
        self.assertFalse(server.listening)
        self.assertFalse(workers.replacing)

    def test_stopIsEveryWorkersGracefulStop(self):
        """
        The server's stop is every worker's graceful stop, bounded past the grace period.
        """
        workers = FakeWorkers()
        server, listener = mainServer(workers)
        server.startService()
        with capturedLogs() as events:
            server.stopService()
        self.assertEqual(workers.stopped[0][0], Stop)
        self.assertGreater(workers.stopped[0][1], Settings().grace)
        self.assertEqual(listener.stopped, 1)
        self.assertEqual(messages(events), ["Todas las conexiones activas han sido cerradas.",
                                            "Socket del servidor cerrado."])
        self.assertEqual(server.exitStatus, 0)

    def test_hurry(self):
        """
        Hurrying the stop hurries every worker.
        """
        workers = FakeWorkers()
        server, _ = mainServer(workers)
        server.stopping = True
        server.hurry()
        self.assertEqual(workers.told, [(Hurry, {})])

    def test_worstExitStatus(self):
        """
        The exit status is the worst of the workers'.
        """
        workers = FakeWorkers()
        workers.exitStatus = 1
        self.assertEqual(mainServer(workers)[0].exitStatus, 1)
