"""
Tests for L{tpreactor.processes}: a real pool of worker processes.
"""

import os
import queue
import shutil
import signal
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

import psutil
from twisted.internet import defer, reactor, task
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase
from zope.interface.verify import verifyObject

from tpreactor.interfaces import IExecutor
from tpreactor.processes import ProcessExecutor
from tpreactor.work import SleepWork

from .contract import REPLY
from .memory import Server
from .support import LineClient, ServerProcess, temporaryFolder
from .test_work import ThreadlessReactor, Watching, watchReplies
from .twistedclient import connect, startServer



class Failing:
    """
    Work that fails for one message (picklable, for the workers).
    """

    seconds = 0.01

    def __call__(self, text):
        if text == "boom":
            raise ValueError("boom")


def workers(pid=None):
    """
    The pool's worker processes among the children of C{pid} (this process
    by default); the resource tracker, which exits with them, is not one.
    """
    found = []
    for p in psutil.Process(pid).children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.NoSuchProcess:
            pass
    return found


def gone(processes):
    return not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


class Slow:
    """
    Work that takes a second for C{lento} and says which worker runs it
    (picklable, for the workers).
    """

    seconds = 0.01

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, text):
        if text == "lento":
            with open(os.path.join(self.folder, "busy"), "w") as f:
                f.write(str(os.getpid()))
            SleepWork(1)(text)


class ProcessPoolTests(TestCase):
    @defer.inlineCallbacks
    def test_workInProcessesInOrder(self):
        """
        Messages run in worker processes and are answered in order, a failure
        in its place; stopping the server leaves no worker running.
        """

        def useProcesses(factory):
            factory.executor = ProcessExecutor(reactor, Failing(), 2)
            factory.executor.startService()

        server = startServer("processes", factoryHook=useProcesses)
        client = yield connect(server.port)
        yield client.line()
        client.send("uno\nboom\ndos\n")
        replies = [(yield client.line()), (yield client.line()), (yield client.line())]
        assert [r.startswith(REPLY) for r in replies] == [True, False, True]
        assert replies[1] == "Servidor: Error interno al procesar el mensaje."
        pids = [p.pid for p in workers()]
        assert pids
        for pid in pids:  # the terminal's Ctrl+C reaches the workers too; they ignore it
            os.kill(pid, signal.SIGINT)
        assert (yield client.ask("tres")).startswith(REPLY)
        yield server.stopService()
        yield server.factory.executor.stopService()
        for _ in range(100):
            if not any(p.pid in pids for p in workers()):
                break
            yield task.deferLater(reactor, 0.05, lambda: None)
        assert not any(p.pid in pids for p in workers())

    @defer.inlineCallbacks
    def test_ctrlCWhileWorkersStartIsIgnored(self):
        """
        The terminal's Ctrl+C reaching the workers while they are still
        starting (before their own set-up has run) kills none of them: they
        are born with it blocked, and the pool answers as ever.
        """
        executor = ProcessExecutor(reactor, SleepWork(0.01), 2)
        executor.startService()
        self.addCleanup(executor.stopService)
        pids = [process.pid for process in executor.pool._processes.values()]
        self.assertEqual(len(pids), 2)
        for pid in pids:
            os.kill(pid, signal.SIGINT)
        batches = []

        class Session:
            finished = False

            def takeBatch(self, limit):
                return [] if batches else ["hola"]

            def batchDone(self, outcomes):
                batches.append(outcomes)

        executor.ready(Session())
        for _ in range(200):
            if batches:
                break
            yield task.deferLater(reactor, 0.05, lambda: None)
        self.assertEqual(batches, [[None]])
        self.assertEqual(sorted(executor.pool._processes), sorted(pids))

    @defer.inlineCallbacks
    def test_aDeadWorkerIsReplaced(self):
        """
        A worker killed outright (the out-of-memory killer, say): the message it
        had gets the error line, the next ones are answered by a new pool; a
        SIGTERM sent to the workers' process group changes nothing.
        """

        def useProcesses(factory):
            factory.executor = ProcessExecutor(reactor, SleepWork(0.3), 1)
            factory.executor.startService()

        server = startServer("processes", factoryHook=useProcesses)
        client = yield connect(server.port)
        yield client.line()
        assert (yield client.ask("cero")).startswith(REPLY)  # the worker is up
        (worker,) = workers()
        worker.send_signal(signal.SIGTERM)
        assert (yield client.ask("uno")).startswith(REPLY)
        client.send("dos\n")
        yield task.deferLater(reactor, 0.1, lambda: None)
        worker.kill()
        assert (yield client.line()) == "Servidor: Error interno al procesar el mensaje."
        assert (yield client.ask("tres")).startswith(REPLY)
        assert (yield client.ask("cuatro")).startswith(REPLY)
        (replacement,) = workers()
        assert replacement.pid != worker.pid
        yield server.stopService()
        yield server.factory.executor.stopService()

    @defer.inlineCallbacks
    def test_survivorsOfABrokenPoolAreEnded(self):
        """
        When the idle worker dies while the other works, the dead one held the
        queue's lock: the survivor, which ignores SIGTERM, would wait on it for
        ever once its work is done. It is killed with the broken pool, and the
        new pool answers.
        """
        tmp_path = Path(temporaryFolder(self))

        def useProcesses(factory):
            factory.executor = ProcessExecutor(reactor, Slow(str(tmp_path)), 2)
            factory.executor.startService()

        server = startServer("processes", factoryHook=useProcesses)
        busy = yield connect(server.port)
        other = yield connect(server.port)
        yield busy.line()
        yield other.line()
        assert (yield other.ask("cero")).startswith(REPLY)
        busy.send("lento\n")
        marker = tmp_path / "busy"
        for _ in range(100):
            if marker.exists() and marker.read_text():
                break
            yield task.deferLater(reactor, 0.02, lambda: None)
        old = workers()
        assert len(old) == 2
        (idle,) = [p for p in old if p.pid != int(marker.read_text())]
        idle.kill()
        assert (yield busy.line()) == "Servidor: Error interno al procesar el mensaje."
        for _ in range(100):
            if gone(old):
                break
            yield task.deferLater(reactor, 0.05, lambda: None)
        assert gone(old)
        assert (yield other.ask("uno")).startswith(REPLY)
        yield server.stopService()
        yield server.factory.executor.stopService()

    def test_noWorkerOutlivesAKilledServer(self):
        """
        Even a server killed outright (SIGKILL, no shutdown at all) leaves no
        worker process behind.
        """
        with ServerProcess("--mode", "processes", "--work", "0.01", "--processes", "2") as server:
            with LineClient(server.port) as client:
                client.line()
                assert client.ask("hola").startswith(REPLY)
            pool = workers(server.proc.pid)
            assert len(pool) == 2
            server.proc.kill()
            server.proc.wait()
            end = time.monotonic() + 10
            while not gone(pool) and time.monotonic() < end:
                psutil.wait_procs(pool, timeout=0.1)
            assert gone(pool)


class QueuedProcessPool:
    """
    A process pool that runs nothing until told, then its calls one at a
    time, in order, completing each call's future as it ends.
    """

    def __init__(self):
        self.calls = []

    def submit(self, f, *args):
        future = Future()
        self.calls.append((future, f, args))
        return future

    def runAll(self):
        while self.calls:
            future, f, args = self.calls.pop(0)
            future.set_result(f(*args))


class ProcessExecutorTests(SynchronousTestCase):
    def test_providesIExecutor(self):
        """
        The process pool's executor provides IExecutor and is never trivial.
        """
        executor = ProcessExecutor(ThreadlessReactor(), SleepWork(0), 2)
        self.assertTrue(verifyObject(IExecutor, executor))
        self.assertFalse(executor.trivial)

    def test_eachReplyLeavesWhenItsWorkIsDone(self):
        """
        40 clients send a message each to 2 processes: each reply leaves as
        soon as its own work is done, not with the rest of its chunk.
        """
        work = Watching()
        executor = ProcessExecutor(ThreadlessReactor(), work, 2)
        executor.pool = pool = QueuedProcessPool()
        watchReplies(self, executor, pool, work, 40)


class Gate:
    """
    Work that holds C{espera} until a file C{go} exists in C{folder}
    (picklable, for the workers); its length is not known beforehand.
    """

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, text):
        end = time.monotonic() + 60
        while text == "espera" and not os.path.exists(os.path.join(self.folder, "go")):
            if time.monotonic() > end:
                raise RuntimeError("never let go")
            time.sleep(0.01)


class PumpedReactor(Clock):
    """
    A Clock whose C{callFromThread} queues calls that the test runs, in its
    own thread, with L{pumpUntil}: a real pool without a running reactor.
    """

    def __init__(self):
        Clock.__init__(self)
        self.fromThreads = queue.Queue()

    def callFromThread(self, f, *args, **kwargs):
        self.fromThreads.put((f, args, kwargs))

    def pumpUntil(self, condition, seconds=30):
        """
        Run the calls from other threads until C{condition()} holds; fail
        if it does not within C{seconds}.
        """
        end = time.monotonic() + seconds
        while not condition():
            try:
                f, args, kwargs = self.fromThreads.get(timeout=max(0, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError("the condition never held") from None
            f(*args, **kwargs)


class RealPoolTests(SynchronousTestCase):
    def test_firstReplyBeforeTheLastWorkEnds(self):
        """
        In a real pool of one process, a reply whose work is done leaves
        while the next message of the same round still works.
        """
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        pumped = PumpedReactor()
        executor = ProcessExecutor(pumped, Gate(folder), 1)
        executor.startService()

        def stop():
            stopped = []
            executor.stopService().addBoth(stopped.append)
            pumped.pumpUntil(lambda: stopped)

        self.addCleanup(stop)
        server = Server(executor=executor)
        first, second = server.connect(), server.connect()
        first.send(b"pronto\n")
        second.send(b"espera\n")
        pumped.advance(0)  # one round takes both
        pumped.pumpUntil(lambda: first.protocol.messages == 1)
        self.assertEqual(second.protocol.messages, 0)
        with open(os.path.join(folder, "go"), "w"):
            pass
        pumped.pumpUntil(lambda: second.protocol.messages == 1)
