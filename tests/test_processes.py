"""
Tests for L{tpreactor.processes}: a real pool of worker processes.
"""

import os
import signal

import psutil
import pytest_twisted
from twisted.internet import reactor, task

from tpreactor.processes import ProcessExecutor

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


def workers():
    """
    The pool's worker processes: the children of the forkserver (which, like
    the resource tracker, lives as long as this process and exits with it).
    """
    me = os.getpid()
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.ppid() != me and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest_twisted.inlineCallbacks
def test_workInProcessesInOrder():
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
