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
from tpreactor.terminal.operator import Operator
from tpreactor.status.service import StatusService
from tpreactor.workers.commands import CloseListeners, Hurry, Stop
from tpreactor.workers.server import SharedPorts, WorkersServer
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
    listener = FakeListener()
    server = WorkersServer(SharedPorts(Settings()), [listener], workers, MemoryReactorClock(), "reactor")
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
        self.assertIsInstance(status, StatusService)
        self.assertIs(status.server, service)
        self.assertEqual(status.description, "tcp:7002:interface=127.0.0.1")
        self.assertTrue(json.loads(service.workers._describe(1, []))["status"])
        quiet = makeService(parse("--workers", "2", "-p", "7001"), reactor)
        self.assertFalse(json.loads(quiet.workers._describe(1, []))["status"])

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
        operator = service.getServiceNamed("operator")
        self.assertIsInstance(operator, Operator)
        self.assertIs(operator.server, service)


class WorkersServerTests(SynchronousTestCase):
    def test_stopAccepting(self):
        """
        Option 1: every worker stops accepting, so does the main process, and
        the clients still served are counted.
        """
        workers = FakeWorkers({CloseListeners: [(1, {"waiting": 0, "backlog": None, "served": 2}),
                                                (2, {"waiting": 0, "backlog": None, "served": 1})]})
        server, listener = mainServer(workers)
        server.startService()
        results = []
        server.stopAccepting().addCallback(results.append)
        self.assertEqual(results, [(0, None, 3)])
        self.assertEqual(listener.stopped, 1)
        self.assertFalse(server.listening)
        self.assertFalse(workers.replacing)

    def test_quietAfterOptionOne(self):
        """
        After option 1 and the last client gone, the stop says nothing more (as in one process).
        """
        workers = FakeWorkers()
        server, _ = mainServer(workers)
        server.startService()
        server.stopAccepting()
        server.whenEmpty()
        server.reactor.advance(0)
        with capturedLogs() as events:
            server.stopService()
        self.assertEqual(messages(events), [])

    def test_endNowKillsTheWorkers(self):
        """
        Option 3 kills every worker at once.
        """
        workers = FakeWorkers()
        mainServer(workers)[0].endNow()
        self.assertEqual(workers.killed, 1)

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
