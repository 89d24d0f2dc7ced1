"""
C{--status} with C{--workers}: the main process gathers the workers'
snapshots (fake workers here), leaves out the silent and the dead, merges
them with its own, and serves the result over real HTTP.
"""

import json

from twisted.internet import defer, reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import serverFromString
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase

from tpreactor.clock import SystemClock
from tpreactor.factory import Settings
from tpreactor.workers.commands import Snapshot
from tpreactor.workers.counters import Tally
from tpreactor.workers.server import MainView, WorkersServer
from tpreactor.status import StatusConfig
from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS
from tpreactor.workers.status import SNAPSHOT_SECONDS, GatheredStatusService, gather, mainSnapshot, wholeServer

from .shutdownfakes import FakeListener
from .test_status_web import fetch


class ListeningAt:
    """
    A listening port on 127.0.0.1:6667, as far as a snapshot reads it.
    """

    def getHost(self):
        return IPv4Address("TCP", "127.0.0.1", 6667)


class FakeWorker:
    """
    A worker whose answer to L{Snapshot} is the Deferred C{answer()} gives.
    """

    number = pid = None

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def callRemote(self, command):
        self.asked.append(command)
        return self.answer()


class FakeSupervisor:
    """
    The workers by number (each told its number, and pid 100 + number), a
    tally, and whether some worker serves.
    """

    def __init__(self, workers):
        self.workers = workers
        for number, worker in workers.items():
            worker.number, worker.pid = number, 100 + number
        self.tally = Tally()
        self.answering = True

    def serving(self):
        return self.answering


def mainServer(workers=None, reactor=None):
    """
    The main process's server with one listener on 127.0.0.1:6667 and the
    fake C{workers} (by number).
    """
    supervisor = FakeSupervisor(workers or {})
    view = MainView(Settings(lang="en"), SystemClock(), supervisor)
    listener = FakeListener()
    listener.port = ListeningAt()
    return WorkersServer(view, [listener], supervisor, reactor)


def workerState(main, pid, ports, messages, kind="threads"):
    """
    A worker's snapshot, shaped as the main process's C{main}: clients on
    C{ports}, C{messages} answered, a pool of 10 of C{kind}.
    """
    state = json.loads(json.dumps(main))
    state.update(pid=pid, messages=messages, pool={"kind": kind, "size": 10, "busy": 1, "queued": 0})
    state["clients"] = [{"peer": f"127.0.0.1:{port}", "host": "127.0.0.1", "port": port} for port in ports]
    state["latency"]["bins"][5] = messages
    state["histogram"]["count"] = messages
    return state


def answering(state):
    return lambda: defer.succeed({"snapshot": json.dumps(state)})


class GatherTests(SynchronousTestCase):
    def test_leavesOutSilentDeadAndUnrecorded(self):
        """
        Only the workers that answer a snapshot in time are gathered: the silent, the dead and the null are left out.
        """
        clock = Clock()
        main = mainSnapshot(mainServer(), 0.0, 5.0, "reactor")
        silent = defer.Deferred()
        workers = {
            1: FakeWorker(answering(workerState(main, 101, [5001], 1))),
            2: FakeWorker(lambda: defer.fail(RuntimeError("gone"))),
            3: FakeWorker(lambda: silent),
            4: FakeWorker(lambda: defer.succeed({"snapshot": "null"})),
        }
        results = []
        gather(FakeSupervisor(workers), clock).addCallback(results.append)
        self.assertEqual(results, [])
        clock.advance(SNAPSHOT_SECONDS)
        states, quiet = results[0]
        self.assertEqual([(n, s["pid"]) for n, s in states], [(1, 101)])
        self.assertEqual(quiet, [(3, 103)])
        self.assertEqual(workers[3].asked, [Snapshot])
        silent.callback({"snapshot": "{}"})  # too late: ignored

    def test_silentNamedAndCountersKept(self):
        """
        The merged snapshot names the silent workers, and its counters are the tally's: the silent and the dead included.
        """
        main = mainSnapshot(mainServer(), 0.0, 5.0, "reactor")
        counters = {"messages": 150, "refusals": {"full": 5, "shutdown": 0}, "histogram": main["histogram"]}
        merged = wholeServer(main, [(2, workerState(main, 102, [5002], 3))], [(1, 4711)], counters)
        self.assertEqual(merged["silent"], [{"number": 1, "pid": 4711}])
        self.assertEqual((merged["messages"], merged["refusals"]["full"]), (150, 5))
        self.assertEqual(len(merged["clients"]), 1)

    def test_wholeServer(self):
        """
        The merged snapshot has the main process's pid and view of the stop, every worker's clients tagged with its number, and their counts added up.
        """
        server = mainServer()
        server.stopping = True
        main = mainSnapshot(server, 0.0, 5.0, "reactor")
        workers = [(1, workerState(main, 101, [5001], 2)), (2, workerState(main, 102, [5002, 5003], 3))]
        workers[0][1]["serving"] = workers[1][1]["serving"] = True
        merged = wholeServer(main, workers)
        self.assertEqual((merged["pid"], merged["serving"]), (main["pid"], False))
        self.assertEqual([(c["port"], c["worker"], c["pid"]) for c in merged["clients"]],
                         [(5001, 1, 101), (5002, 2, 102), (5003, 2, 102)])
        self.assertEqual(merged["workers"], [{"number": 1, "pid": 101}, {"number": 2, "pid": 102}])
        self.assertEqual((merged["messages"], merged["latency"]["count"]), (5, 5))
        self.assertEqual(merged["pool"], {"kind": "threads", "size": 20, "busy": 2, "queued": 0})
        self.assertEqual((merged["listening"], merged["uptime"]), (["127.0.0.1:6667"], 5.0))

    def test_noWorkerYet(self):
        """
        With no worker to answer, the snapshot is the main process's alone: no client, still serving.
        """
        merged = wholeServer(mainSnapshot(mainServer(), 0.0, 1.0, "reactor"), [])
        self.assertEqual((merged["clients"], merged["workers"], merged["serving"], merged["silent"]),
                         ([], [], True, []))


class GatheredHttpTests(TestCase):
    def serve(self, workers):
        """
        The main process's status endpoint on a free loopback port over the
        fake C{workers}; the server and the endpoint's base URL.
        """
        server = self.server = mainServer(workers, reactor)
        description = "tcp:0:interface=127.0.0.1"
        config = StatusConfig(description, DEFAULT_MAX_CONNECTIONS)
        status = GatheredStatusService(config, serverFromString(reactor, description), server, "reactor")
        status.privilegedStartService()
        self.addCleanup(status.stopService)
        return server, f"http://127.0.0.1:{status.port.getHost().port}/"

    @defer.inlineCallbacks
    def test_servedFromTheWorkers(self):
        """
        /status.json, /metrics and HEAD are answered from the gathered snapshots; /healthz follows the main process's stop.
        """
        main = mainSnapshot(mainServer(), 0.0, 1.0, "reactor")
        workers = {1: FakeWorker(answering(workerState(main, 101, [5001], 2))),
                   2: FakeWorker(answering(workerState(main, 102, [5002], 3)))}
        server, base = self.serve(workers)
        response, body = yield fetch(base + "status.json")
        state = json.loads(body)
        self.assertEqual(response.headers.getRawHeaders(b"content-type"), [b"application/json"])
        self.assertEqual([(c["port"], c["worker"]) for c in state["clients"]], [(5001, 1), (5002, 2)])
        response, metrics = yield fetch(base + "metrics")
        self.assertIn(b"tpreactor_messages_total 5.0", metrics)
        self.assertIn(b"tpreactor_connections_active 2.0", metrics)
        response, head = yield fetch(base + "status.json", b"HEAD")
        self.assertEqual((response.code, head), (200, b""))
        self.assertEqual(response.headers.getRawHeaders(b"content-length"), [b"%d" % len(body)])
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (200, b"serving\n"))
        server.stopping = True
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (503, b"stopping\n"))

    @defer.inlineCallbacks
    def test_silentWorkerWithinASecond(self):
        """
        With a worker that does not answer, /status.json and /metrics answer
        within about a second with the others' clients and a field naming
        the silent one; /healthz still says serving.
        """
        main = mainSnapshot(mainServer(), 0.0, 1.0, "reactor")
        workers = {1: FakeWorker(defer.Deferred), 2: FakeWorker(answering(workerState(main, 102, [5002], 3)))}
        _, base = self.serve(workers)
        started = reactor.seconds()
        response, body = yield fetch(base + "status.json")
        self.assertLess(reactor.seconds() - started, SNAPSHOT_SECONDS + 1)
        state = json.loads(body)
        self.assertEqual(([c["port"] for c in state["clients"]], state["silent"]), ([5002], [{"number": 1, "pid": 101}]))
        response, metrics = yield fetch(base + "metrics")
        self.assertIn(b'tpreactor_worker_silent{pid="101",worker="1"} 1.0', metrics)
        response, health = yield fetch(base + "healthz")
        self.assertEqual((response.code, health), (200, b"serving\n"))

    @defer.inlineCallbacks
    def test_countersNeverGoBack(self):
        """
        /metrics after a worker has died shows at least what it showed before: the dead worker's counts stay.
        """
        main = mainSnapshot(mainServer(), 0.0, 1.0, "reactor")
        first, second = workerState(main, 101, [], 100), workerState(main, 102, [], 50)
        first["refusals"]["full"], second["refusals"]["full"] = 2, 3
        workers = {1: FakeWorker(answering(first)), 2: FakeWorker(answering(second))}
        server, base = self.serve(workers)
        _, before = yield fetch(base + "metrics")
        supervisor = server.workers
        supervisor.tally.gone(supervisor.workers.pop(2))
        _, after = yield fetch(base + "metrics")
        for text in (before, after):
            self.assertIn(b"tpreactor_messages_total 150.0", text)
            self.assertIn(b'tpreactor_refusals_total{reason="full"} 5.0', text)
            self.assertIn(b"tpreactor_reply_seconds_count 150.0", text)

    @defer.inlineCallbacks
    def test_healthzWhileNoWorkerServes(self):
        """
        /healthz is 503 when no worker accepts and answers, even though the main process has not begun to stop.
        """
        _, base = self.serve({})
        self.server.workers.answering = False
        response, _ = yield fetch(base + "healthz")
        self.assertEqual(response.code, 503)

    @defer.inlineCallbacks
    def test_failureIsAnError(self):
        """
        A snapshot that cannot be made is a 500, not a hung request.
        """
        workers = {1: FakeWorker(lambda: defer.succeed({"snapshot": "[not json"}))}
        server, base = self.serve(workers)
        response, body = yield fetch(base + "status.json")
        self.assertEqual((response.code, body), (500, b"Internal Server Error\n"))
        self.flushLoggedErrors(ValueError)
