"""
Tests for L{tpreactor.processes}: a real pool of worker processes.
"""

import os
import signal
import time
from pathlib import Path

import psutil
from twisted.internet import defer, reactor, task
from twisted.trial.unittest import TestCase

from tpreactor.processes import ProcessExecutor
from tpreactor.work import SleepWork

from .support import LineClient, ServerProcess, temporaryFolder
from .twistedclient import connect, startServer

REPLY = "Mensaje Recibido el"


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
