"""
Tests for L{tpreactor.workers.supervisor}: workers started, heard from every
second, killed when silent, replaced (at once, or after a growing wait when
they cannot start or die young), asked with a bound, stopped; the worker
processes are fakes at the AMP boundary (the conversation itself is in
tests/test_workers_commands.py), the clock a L{Clock}.
"""

import json
import os
import resource
import signal
import socket

from twisted.internet import defer
from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.messages import catalogue
from tpreactor.workers.commands import Heartbeat, State, Stop
from tpreactor.workers.process import WorkerProcess
from tpreactor.workers.supervisor import HEARTBEAT_SECONDS, SILENT_SECONDS, STARTING_SECONDS, Supervisor

from .shutdownfakes import messages


class FakeWorker(WorkerProcess):
    """
    A worker process that answers the main process's questions at once,
    until it is stopped (SIGSTOP): then it answers nothing.
    """

    stopped = False

    def __init__(self, *args, **kwargs):
        WorkerProcess.__init__(self, *args, **kwargs)
        self.asked = []
        self.counted = None
        self.answers = {State: {"state": "{}"}}

    def callRemote(self, command, **kwargs):
        self.asked.append(command)
        if self.ended.called:
            return defer.fail(RuntimeError("gone"))
        if self.stopped:
            return defer.Deferred()
        if command is Heartbeat:
            return defer.succeed({"clients": self.clients, "counters": json.dumps(self.counted)})
        return defer.succeed(self.answers.get(command, {}))


class Harness:
    """
    A supervisor of two workers on a Clock, whose workers are L{FakeWorker}s
    (pids 100 + number, then 200 + number, ...) and whose kills are recorded.
    """

    def __init__(self, testCase, count=2, timeout=10.0):
        self.clock = Clock()
        self.killed = []
        self.supervisor = Supervisor(self.clock, count, None, None, catalogue("es"), timeout=timeout,
                                     kill=self.killed.append)
        self.started = []
        self.failures = []
        self.supervisor.spawn = self.spawn
        testCase.addCleanup(self.supervisor._stopHearing)

    def spawn(self, number):
        if self.failures:
            raise self.failures.pop(0)
        worker = FakeWorker(number, self.supervisor._ended, None, self.clock.seconds(), catalogue("es"),
                            claims=self.supervisor.claims, tally=self.supervisor.tally, clock=self.clock)
        worker.pid = 100 * (1 + self.started.count(number)) + number
        self.started.append(number)
        return worker

    def die(self, number, **how):
        worker = self.supervisor.workers[number]
        worker.processEnded(Failure(ProcessTerminated(**how) if how else ProcessDone(0)))
        return worker

    def killedDie(self):
        """
        The workers killed so far end, as SIGKILL would have them.
        """
        for worker in list(self.supervisor.workers.values()):
            if worker.pid in self.killed:
                worker.processEnded(Failure(ProcessTerminated(signal=9)))


class ReplacementTests(SynchronousTestCase):
    def setUp(self):
        self.h = Harness(self)

    def test_deadWorkerLoggedAndReplaced(self):
        """
        A worker that dies after running a while is logged with how many clients it had, and started again at once.
        """
        self.h.supervisor.startAll()
        self.h.clock.advance(10)
        worker = self.h.supervisor.workers[2]
        worker.clients = 3
        with capturedLogs() as events:
            self.h.die(2, signal=9)
        self.assertEqual(messages(events), [
            "[w2] El proceso trabajador (pid 102) terminó inesperadamente (signal 9) con 3 clientes; se inicia otro."
        ])
        self.h.clock.advance(0)
        self.assertEqual(self.h.started, [1, 2, 2])

    def test_oneClientInTheSingular(self):
        """
        A worker that dies with one client says so in the singular (CLDR's plural rules).
        """
        self.h.supervisor.startAll()
        self.h.clock.advance(10)
        self.h.supervisor.workers[1].clients = 1
        with capturedLogs() as events:
            self.h.die(1, signal=9)
        self.assertEqual(messages(events), [
            "[w1] El proceso trabajador (pid 101) terminó inesperadamente (signal 9) con 1 cliente; se inicia otro."
        ])

    def test_youngDeathsBackOff(self):
        """
        A worker that keeps dying young is started again after 1, 2, 4 ... s,
        never more than 30 s, each death saying when; one that then runs a
        while is replaced at once again.
        """
        self.h.supervisor.startAll()
        waits = []
        with capturedLogs() as events:
            for _ in range(7):
                self.h.clock.advance(0.5)
                self.h.die(1, exitCode=1)
                before = len(self.h.started)
                wait = 0.0
                while len(self.h.started) == before:
                    self.h.clock.advance(0.5)
                    wait += 0.5
                waits.append(wait)
        self.assertEqual(waits, [1, 2, 4, 8, 16, 30, 30])
        self.assertIn("[w1] El proceso trabajador (pid 101) terminó inesperadamente (exit status 1) con 0 clientes, "
                      "0.5 s después de empezar; se inicia otro en 1 s.", messages(events))
        self.h.clock.advance(10)
        self.h.die(1, signal=9)
        self.h.clock.advance(0)
        self.assertEqual(self.h.started.count(1), 9)
        self.h.clock.advance(0.5)
        self.h.die(1, exitCode=1)
        self.h.clock.advance(0.9)
        self.assertEqual(self.h.started.count(1), 9)
        self.h.clock.advance(0.1)
        self.assertEqual(self.h.started.count(1), 10)

    def test_failedStartsRetriedForEver(self):
        """
        A worker that cannot be started is one line each time, with the
        reason and when it is tried again, and is tried again, waiting
        longer each time, until it starts.
        """
        self.h.failures = [OSError(24, "Too many open files")] * 3 + [OSError(11, "Resource temporarily unavailable")]
        with capturedLogs() as events:
            self.h.supervisor.startAll()
            self.assertEqual(sorted(self.h.supervisor.workers), [])
            self.h.clock.pump([1] * 10)
        self.assertEqual(sorted(self.h.supervisor.workers), [1, 2])
        self.assertEqual(messages(events), [
            "[w1] No se pudo iniciar el proceso trabajador (EMFILE: Demasiados archivos abiertos); "
            "se vuelve a intentar en 1 s.",
            "[w2] No se pudo iniciar el proceso trabajador (EMFILE: Demasiados archivos abiertos); "
            "se vuelve a intentar en 1 s.",
            "[w1] No se pudo iniciar el proceso trabajador (EMFILE: Demasiados archivos abiertos); "
            "se vuelve a intentar en 2 s.",
            "[w2] No se pudo iniciar el proceso trabajador (EAGAIN: Recurso no disponible temporalmente); "
            "se vuelve a intentar en 2 s.",
        ])

    def test_noReplacementWhileStopping(self):
        """
        While the server stops, a worker that ends is not replaced, a retry
        waiting is dropped, and its exit status counts.
        """
        self.h.supervisor.startAll()
        self.h.failures = [OSError(24, "Too many open files")]
        with capturedLogs():
            self.h.die(2, signal=9)
            self.h.clock.advance(1)
        ended = self.h.supervisor.stopAll(Stop, 30)
        with capturedLogs() as events:
            self.h.die(1, exitCode=1)
        self.assertEqual(messages(events), [])
        self.assertTrue(ended.called)
        self.h.clock.advance(60)
        self.assertEqual(self.h.started, [1, 2])
        self.assertEqual(self.h.supervisor.exitStatus, 1)
        self.assertEqual(self.h.clock.getDelayedCalls(), [])

    def test_lateWorkerNamedAndKilled(self):
        """
        A worker that has not finished its stop within the bound is named on
        the console, killed, and makes the exit status 1.
        """
        self.h.supervisor.startAll()
        ended = self.h.supervisor.stopAll(Stop, 17)
        self.h.die(1)
        with capturedLogs() as events:
            self.h.clock.advance(17)
        self.assertEqual(messages(events), [
            "[w2] El proceso trabajador (pid 102) no terminó su cierre en 17 s: se lo mata (SIGKILL)."
        ])
        self.assertEqual((self.h.killed, self.h.supervisor.exitStatus), ([102], 1))
        self.h.killedDie()
        self.assertTrue(ended.called)


class HeartbeatTests(SynchronousTestCase):
    def setUp(self):
        self.h = Harness(self, timeout=10.0)
        self.h.supervisor.startAll()

    def test_askedEverySecond(self):
        """
        Every worker is asked every second, and what it answers is heard.
        """
        worker = self.h.supervisor.workers[1]
        self.h.clock.pump([HEARTBEAT_SECONDS] * 3)
        self.assertEqual(worker.asked, [Heartbeat] * 3)
        self.assertEqual(worker.heard, 3.0)

    def test_silentWorkerKilledAndReplaced(self):
        """
        A worker that stops answering is, within the timeout and a
        heartbeat, named with its pid and clients, killed, and replaced;
        the other is left alone.
        """
        self.h.clock.pump([1] * 12)
        stuck = self.h.supervisor.workers[1]
        stuck.clients = 47
        stuck.stopped = True
        with capturedLogs() as events:
            self.h.clock.pump([1] * 9)
            self.assertEqual(self.h.killed, [])
            self.h.clock.advance(1)
            self.assertEqual(self.h.killed, [101])
            self.h.clock.pump([1] * 5)
            self.assertEqual(self.h.killed, [101])  # once
            self.h.killedDie()
            self.h.clock.advance(0)
        self.assertEqual(messages(events), [
            "[w1] El proceso trabajador (pid 101) no responde desde hace 10 s, con 47 clientes: "
            "se lo mata (SIGKILL) y se inicia otro."
        ])
        self.assertEqual(self.h.started, [1, 2, 1])
        self.assertEqual(stuck.asked, [Heartbeat] * 13)  # one question open at a time

    def test_zeroNeverKills(self):
        """
        --worker-timeout 0: a silent worker is never killed.
        """
        self.h.supervisor.timeout = 0
        self.h.supervisor.workers[1].stopped = True
        self.h.clock.pump([1] * 100)
        self.assertEqual(self.h.killed, [])

    def test_readyIsHeard(self):
        """
        A worker that said it is ready but stops before its first heartbeat has the timeout, not the time to start.
        """
        worker = self.h.supervisor.workers[1]
        worker.stopped = True
        with capturedLogs():
            worker.control.ready(4242)
            self.h.clock.pump([1] * 10)
        self.assertEqual(self.h.killed, [101])

    def test_startingWorkerHasLonger(self):
        """
        A worker that never answered yet (still starting) has STARTING_SECONDS, not the timeout.
        """
        self.h.supervisor.workers[1].stopped = True
        with capturedLogs():
            self.h.clock.pump([1] * int(STARTING_SECONDS - 1))
            self.assertEqual(self.h.killed, [])
            self.h.clock.advance(1)
        self.assertEqual(self.h.killed, [101])

    def test_servingWhileAnyWorkerAnswers(self):
        """
        The server serves while some worker that said it accepts answers; not before, and not once none does.
        """
        workers = self.h.supervisor.workers
        self.h.clock.advance(1)
        self.assertFalse(self.h.supervisor.serving())
        workers[2].ready = True
        self.assertTrue(self.h.supervisor.serving())
        workers[2].stopped = True
        self.h.clock.pump([0.5] * (int(SILENT_SECONDS * 2) + 1))
        self.assertFalse(self.h.supervisor.serving())
        workers[1].ready = True
        self.assertTrue(self.h.supervisor.serving())

    def test_countersKeptWhenAWorkerDies(self):
        """
        What a worker said it counted in its heartbeats stays in the tally once it is gone.
        """
        counted = {"messages": 150, "refusals": {"full": 5, "shutdown": 0},
                   "histogram": {"buckets": [[0.1, 150]], "sum": 1.5, "count": 150}}
        self.h.supervisor.workers[1].counted = counted
        self.h.clock.advance(1)
        with capturedLogs():
            self.h.die(1, signal=9)
        self.assertEqual(self.h.supervisor.tally.total()["messages"], 150)
        self.assertEqual(self.h.supervisor.tally.total()["refusals"]["full"], 5)

    def test_claimsOfAWorkerGoneAreFree(self):
        """
        The clients a worker's PROXY headers claimed are free again once that worker is gone.
        """
        claims = self.h.supervisor.claims
        self.assertTrue(claims.claim("10.0.0.5:50000", 1))
        with capturedLogs():
            self.h.die(1, signal=9)
        self.assertTrue(claims.claim("10.0.0.5:50000", 2))


class AskTests(SynchronousTestCase):
    def test_answersWithinTheBound(self):
        """
        A question to every worker fires after the bound at most, with the
        answers of those that answered and the number and pid of those that
        did not; a worker that ended meanwhile is in neither.
        """
        h = Harness(self, count=3)
        h.supervisor.startAll()
        h.supervisor.workers[2].stopped = True
        h.supervisor.workers[3].ended.callback(0)  # its connection is gone: it is ending
        results = []
        h.supervisor.ask(State, 1.0).addCallback(results.append)
        self.assertEqual(results, [])
        h.clock.advance(1.0)
        answers = results[0]
        self.assertEqual([n for n, _ in answers.answered], [1])
        self.assertEqual(answers.silent, [(2, 102)])


class SpawningReactor(MemoryReactorClock):
    """
    A reactor that records the workers it is asked to start, and the signals
    blocked at that moment; or fails to start them, as a full process
    table would.
    """

    def __init__(self, failure=None):
        MemoryReactorClock.__init__(self)
        self.spawned = []
        self.failure = failure

    def spawnProcess(self, protocol, executable, args, env=None, childFDs=None, **kwargs):
        if self.failure is not None:
            raise self.failure
        self.spawned.append((args, childFDs, signal.pthread_sigmask(signal.SIG_BLOCK, [])))

        class Transport:
            pid = 4242

        return Transport()

    def adoptStreamConnection(self, fd, family, factory):
        self.adopted = factory.buildProtocol(None)


def openDescriptors():
    return len(os.listdir("/proc/self/fd"))


class SpawnTests(SynchronousTestCase):
    def supervisor(self, reactor):
        listening = socket.socket()
        self.addCleanup(listening.close)
        supervisor = Supervisor(reactor, 1, lambda number, families, turns=False: f"config {number} {families} {turns}",
                                lambda: [listening], catalogue("es"))
        self.addCleanup(supervisor._stopHearing)
        return supervisor, listening

    def test_spawnedWithTheOperatorsSignalsBlocked(self):
        """
        A worker starts with its descriptors in place and the operator's signals blocked
        (it ignores them once it runs); ours are as they were afterwards.
        """
        reactor = SpawningReactor()
        supervisor, listening = self.supervisor(reactor)
        before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        worker = supervisor.start(1)
        args, childFDs, blocked = reactor.spawned[0]
        self.assertEqual(args[1:3], ["-m", "tpreactor.workers.child"])
        self.assertEqual(childFDs[1], "r")
        self.assertEqual(childFDs[4], listening.fileno())
        self.assertTrue({signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= blocked)
        self.assertEqual(signal.pthread_sigmask(signal.SIG_BLOCK, []), before)
        self.assertEqual((worker.pid, supervisor.workers), (4242, {1: worker}))
        self.assertIs(reactor.adopted, worker.control)

    def test_turnsMemoryHandedDown(self):
        """
        Started with the others, a worker gets the memory of the turns after the listening sockets, and is told so.
        """
        reactor = SpawningReactor()
        supervisor, listening = self.supervisor(reactor)
        supervisor.startAll()
        args, childFDs, _ = reactor.spawned[0]
        counts = childFDs[5]
        self.addCleanup(os.close, counts)
        self.assertEqual(os.readlink(f"/proc/self/fd/{counts}"), "/memfd:tpreactor-accepts (deleted)")
        self.assertEqual(os.fstat(counts).st_size, 8 * 2)
        self.assertEqual(args[3], f"config 1 [{listening.family!r}] True")

    def test_forkRefusedLeaksNothing(self):
        """
        A start the system refuses (fork: EAGAIN) is one line, leaves no
        descriptor open, and is tried again.
        """
        reactor = SpawningReactor(OSError(11, "Resource temporarily unavailable"))
        supervisor, _ = self.supervisor(reactor)
        before = openDescriptors()
        with capturedLogs() as events:
            self.assertIsNone(supervisor.start(1))
        self.assertEqual(openDescriptors(), before)
        self.assertEqual(len(messages(events)), 1)
        reactor.failure = None
        reactor.advance(1)
        self.assertEqual(list(supervisor.workers), [1])

    def test_outOfDescriptorsLeaksNothing(self):
        """
        With no descriptor left (EMFILE, for real) a start is one line, no
        traceback, nothing half-open; once descriptors are free it starts.
        """
        reactor = SpawningReactor()
        supervisor, _ = self.supervisor(reactor)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        lowest = os.dup(0)
        os.close(lowest)
        before = openDescriptors()
        resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
        try:
            with capturedLogs() as events:
                supervisor.start(1)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        self.assertEqual(openDescriptors(), before)
        self.assertEqual(messages(events), [
            "[w1] No se pudo iniciar el proceso trabajador (EMFILE: Demasiados archivos abiertos); "
            "se vuelve a intentar en 1 s."
        ])
        reactor.advance(1)
        self.assertEqual(list(supervisor.workers), [1])
