"""
The model of the server's state as the workers' main process implements it
(L{tpreactor.workers.server.WorkersServer}): the same contract as one
process (L{tests.test_model.ModelContract}), passed by two in-memory
workers (each a real server and its L{WorkerControl}) talking AMP to a real
L{Supervisor}; then what only several processes have: a worker that does
not answer, counters that never go back, and the merge. Last, its status
endpoint over real HTTP.
"""

import json
import os

from twisted.internet import defer, reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import serverFromString
from twisted.internet.task import Clock
from twisted.test.iosim import connectedServerAndClient
from twisted.trial.unittest import SynchronousTestCase, TestCase

from tpreactor.factory import Settings
from tpreactor.messages import catalogue
from tpreactor.model import ClientRecord, ServerState, WorkerRecord
from tpreactor.model.merge import mergeStates
from tpreactor.status import StatusConfig, addStatus
from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS
from tpreactor.workers.control import WorkerControl
from tpreactor.workers.server import SharedPorts, WorkersServer
from tpreactor.workers.process import WorkerProcess
from tpreactor.workers.supervisor import ANSWER_SECONDS, Supervisor

from .memory import Server
from .shutdownfakes import FakeListener
from .test_model import ModelContract
from .test_status_web import fetch


class ListeningAt:
    """
    A listening port on 127.0.0.1:6667, as far as a state reads it.
    """

    def getHost(self):
        return IPv4Address("TCP", "127.0.0.1", 6667)


def listener():
    shared = FakeListener()
    shared.port = ListeningAt()
    return shared


class Workers:
    """
    Two workers in memory, each a server with its clients and the control
    the main process talks to over AMP, all on one clock; the main
    process's real L{Supervisor} and L{WorkersServer} over them.

    @ivar memory: each worker's in-memory server, by number.
    @ivar answering: whether each worker's AMP connection delivers (a
        worker that does not is silent).
    """

    def __init__(self, recording=False):
        self.clock = Clock()
        cat = catalogue("es")
        self.supervisor = Supervisor(self.clock, 2, None, None, cat)
        self.memory, self.pumps, self.answering = {}, {}, {1: True, 2: True}
        ports = SharedPorts(Settings())
        self.server = WorkersServer(ports, [listener()], self.supervisor, self.clock, "reactor",
                                    monotonic=self.clock.seconds)
        if recording:
            self.server.startRecording()
        for number in (1, 2):
            memory = self.memory[number] = Server(clock=self.clock)
            worker = WorkerProcess(number, lambda worker: None, None, 0.0, cat, tally=self.supervisor.tally)
            worker.pid, worker.ready, worker.heard = 100 + number, True, 0.0
            model = memory.model()
            model.listeners = [listener()]
            if recording:
                model.startRecording()
            _, _, self.pumps[number] = connectedServerAndClient(
                lambda model=model: WorkerControl(model, lambda: None, self.clock), lambda w=worker: w.control)
            self.supervisor.workers[number] = worker

    def settle(self):
        for _ in range(3):
            for number, pump in self.pumps.items():
                if self.answering[number]:
                    pump.flush()
            self.clock.advance(0)


class WorkersModelTests(ModelContract, SynchronousTestCase):
    def make(self, recording=False):
        self.workers = Workers(recording)
        first, second = self.workers.memory[1], self.workers.memory[2]
        # In the order they came: two on the first worker, one on the second.
        clients = [first.connect(port=53544), first.connect(port=53545), second.connect(port=53546)]
        clients[0].send(b"uno\ndos\n")
        for client in clients:
            client.lines()
        clock = self.workers.clock
        # The contract advances one clock for everything.
        return _OneClock(clock), self.workers.server, clients

    def settle(self):
        self.workers.settle()

    def test_clientsTaggedWithTheirWorker(self):
        """
        Each client's record says which worker serves it, and that worker's process.
        """
        memory, server, clients = self.make()
        state = self.stateOf(server)
        pid = os.getpid()  # every worker's, in memory
        self.assertEqual([(c.worker, c.pid) for c in state.clients], [(1, pid), (1, pid), (2, pid)])
        self.assertEqual([(w.number, w.pid, w.clients, w.silent) for w in state.workers],
                         [(1, pid, 2, False), (2, pid, 1, False)])

    def test_silentWorker(self):
        """
        A worker that does not answer within about a second is named in the state, and the others' clients are there.
        """
        memory, server, clients = self.make()
        self.workers.answering[1] = False
        self.workers.supervisor.workers[1].clients = 2
        states = []
        server.state().addCallback(states.append)
        self.settle()
        self.assertEqual(states, [])
        self.workers.clock.advance(ANSWER_SECONDS)
        state = states[0]
        self.assertEqual([c.peer for c in state.clients], ["127.0.0.1:53546"])
        self.assertEqual(state.silent, (WorkerRecord(1, 101, 2, silent=True),))

    def test_consoleNamesTheSilentWorker(self):
        """
        clientes and desconectar answer within about a second with the others' clients and a line naming the silent worker.
        """
        from tpreactor.terminal.console import Console
        from twisted.internet.testing import StringTransport

        memory, server, clients = self.make()
        self.workers.answering[1] = False
        self.workers.supervisor.workers[1].clients = 2
        console, transport = Console(server), StringTransport()
        console.makeConnection(transport)
        transport.clear()
        console.dataReceived(b"clientes\n")
        self.settle()
        self.workers.clock.advance(ANSWER_SECONDS)
        lines = transport.value().decode("utf-8").splitlines()
        self.assertEqual(lines[0], "Conexiones activas: 1")
        self.assertTrue(lines[1].startswith("127.0.0.1:53546  conectado el") and lines[1].endswith("  [w2]"), lines[1])
        self.assertEqual(lines[2], "[w1] El proceso trabajador (pid 101) no respondió: esta respuesta no incluye a sus "
                                   "clientes (2 la última vez).")
        transport.clear()
        console.dataReceived(b"desconectar 127.0.0.1:53546\n")
        self.settle()
        self.workers.clock.advance(ANSWER_SECONDS)
        self.assertEqual(transport.value().decode("utf-8").splitlines(), [
            "Desconectando a 127.0.0.1:53546.  [w2]",
            "[w1] El proceso trabajador (pid 101) no respondió: esta respuesta no incluye a sus clientes (2 la última "
            "vez).",
        ])

    def test_countersNeverGoBack(self):
        """
        What a worker counted stays in the state's counters once it is gone.
        """
        memory, server, clients = self.make(recording=True)
        before = self.stateOf(server)
        supervisor = self.workers.supervisor
        supervisor.tally.gone(supervisor.workers.pop(1))
        del self.workers.pumps[1]
        after = self.stateOf(server)
        self.assertEqual((before.messages, after.messages), (2, 2))
        self.assertEqual(after.histogram["count"], 2)
        self.assertEqual(len(after.clients), 1)

    def test_recordingStartsInTheWorkers(self):
        """
        Asked to record, the main process has the workers it starts record (their configuration says so).
        """
        memory, server, clients = self.make()
        self.assertFalse(server.recording)
        server.startRecording()
        self.assertTrue(server.recording)


class _OneClock:
    """
    What the contract reads of "the in-memory server": the clock every
    worker runs on.
    """

    def __init__(self, clock):
        self.clock = clock


def state(pid, ports, messages=None, latency=None, workers=()):
    clients = tuple(ClientRecord(f"127.0.0.1:{p}", "127.0.0.1", p, "serving", 1.0) for p in ports)
    return ServerState(pid=pid, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=1.0,
                       clients=clients, messages=messages, refusals=None if messages is None else {"full": 1},
                       histogram=None if messages is None else {"buckets": [], "sum": 0.0, "count": messages},
                       latency=latency, pool={"kind": "threads", "size": 10, "busy": 1, "queued": 0})


class MergeTests(SynchronousTestCase):
    def test_merge(self):
        """
        The whole server's state: the main process's own view, every worker's clients tagged, counts and pools added up, percentiles taken again from the bins.
        """
        main = ServerState(pid=1, mode="reactor", holdsClients=False, serving=False, listening=("127.0.0.1:6667",),
                           uptime=5.0)
        bins = lambda index: [1 if i == index else 0 for i in range(82)]  # noqa: E731
        merged = mergeStates(main, [
            (1, state(101, [5001], 2, {"bins": bins(0), "p50": None, "p99": None, "count": 1})),
            (2, state(102, [5002, 5003], 3, {"bins": bins(50), "p50": None, "p99": None, "count": 1})),
        ])
        self.assertEqual((merged.pid, merged.serving, merged.listening, merged.uptime),
                         (1, False, ("127.0.0.1:6667",), 5.0))
        self.assertEqual([(c.port, c.worker, c.pid) for c in merged.clients], [(5001, 1, 101), (5002, 2, 102), (5003, 2, 102)])
        self.assertEqual((merged.messages, merged.refusals, merged.latency["count"]), (5, {"full": 2}, 2))
        self.assertGreater(merged.latency["p99"], merged.latency["p50"])
        self.assertEqual(merged.pool, {"kind": "threads", "size": 20, "busy": 2, "queued": 0})

    def test_countersOfTheMainProcess(self):
        """
        Given the counters the main process kept, the state shows those (the workers gone included), not the live workers' sum.
        """
        main = ServerState(pid=1, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=1.0)
        counters = {"messages": 150, "refusals": {"full": 5}, "histogram": {"buckets": [], "sum": 0.0, "count": 0}}
        merged = mergeStates(main, [(2, state(102, [5002], 3))], (WorkerRecord(1, 4711, 7, silent=True),), counters)
        self.assertEqual((merged.messages, merged.refusals), (150, {"full": 5}))
        self.assertEqual(merged.silent, (WorkerRecord(1, 4711, 7, silent=True),))

    def test_noWorkerYet(self):
        """
        With no worker to answer, the state is the main process's alone: no client, nothing counted.
        """
        main = ServerState(pid=1, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=1.0)
        merged = mergeStates(main, [])
        self.assertEqual((merged.clients, merged.workers, merged.messages, merged.timeline), ((), (), None, None))


class FakeWorker:
    """
    A worker whose answer to every command is the Deferred C{answer()} gives.
    """

    ready, killed, clients = True, None, 0

    def __init__(self, number, answer):
        self.number, self.pid = number, 100 + number
        self.answer = answer
        self.heard = reactor.seconds()

    def callRemote(self, command, **kwargs):
        return self.answer()


def answering(data):
    return lambda: defer.succeed({"state": json.dumps(data.asData())})


class StatusOverHttpTests(TestCase):
    def serve(self, workers):
        """
        The main process's status endpoint on a free loopback port over the
        fake C{workers}; the server and the endpoint's base URL.
        """
        supervisor = Supervisor(reactor, len(workers), None, None, catalogue("es"))
        supervisor.workers = {w.number: w for w in workers}
        server = self.server = WorkersServer(SharedPorts(Settings()), [listener()], supervisor, reactor, "reactor")
        description = "tcp:0:interface=127.0.0.1"
        status = addStatus(server, StatusConfig(description, DEFAULT_MAX_CONNECTIONS),
                           serverFromString(reactor, description))
        status.privilegedStartService()
        self.addCleanup(status.stopService)
        return server, f"http://127.0.0.1:{status.port.getHost().port}/"

    @defer.inlineCallbacks
    def test_servedFromTheWorkers(self):
        """
        /status.json and /metrics are the workers' states merged; /healthz follows the main process's stop.
        """
        server, base = self.serve([FakeWorker(1, answering(state(101, [5001], 2))),
                                   FakeWorker(2, answering(state(102, [5002], 3)))])
        response, body = yield fetch(base + "status.json")
        data = json.loads(body)
        self.assertEqual([(c["port"], c["worker"]) for c in data["clients"]], [(5001, 1), (5002, 2)])
        response, metrics = yield fetch(base + "metrics")
        self.assertIn(b"tpreactor_messages_total 5.0", metrics)
        self.assertIn(b"tpreactor_connections_active 2.0", metrics)
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (200, b"serving\n"))
        server.stopping = True
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (503, b"stopping\n"))

    @defer.inlineCallbacks
    def test_silentWorkerWithinASecond(self):
        """
        With a worker that does not answer, /status.json and /metrics answer within about a second with the others' clients and the silent one named; /healthz still says serving.
        """
        _, base = self.serve([FakeWorker(1, defer.Deferred), FakeWorker(2, answering(state(102, [5002], 3)))])
        started = reactor.seconds()
        response, body = yield fetch(base + "status.json")
        self.assertLess(reactor.seconds() - started, ANSWER_SECONDS + 1)
        data = json.loads(body)
        self.assertEqual([c["port"] for c in data["clients"]], [5002])
        self.assertEqual([(w["number"], w["silent"]) for w in data["workers"]], [(1, True), (2, False)])
        response, metrics = yield fetch(base + "metrics")
        self.assertIn(b'tpreactor_worker_silent{pid="101",worker="1"} 1.0', metrics)
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (200, b"serving\n"))

    @defer.inlineCallbacks
    def test_healthzWhileNoWorkerServes(self):
        """
        /healthz is 503 when no worker accepts and answers, though the main process has not begun to stop.
        """
        _, base = self.serve([FakeWorker(1, defer.Deferred)])
        self.server.workers.workers[1].heard = None
        response, _ = yield fetch(base + "healthz")
        self.assertEqual(response.code, 503)

    @defer.inlineCallbacks
    def test_failureIsAnError(self):
        """
        A state that cannot be read is a 500, not a hung request.
        """
        _, base = self.serve([FakeWorker(1, lambda: defer.succeed({"state": "[not json"}))])
        response, body = yield fetch(base + "status.json")
        self.assertEqual((response.code, body), (500, b"Internal Server Error\n"))
        self.flushLoggedErrors(ValueError)
