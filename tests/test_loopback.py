"""
Both modes over real loopback sockets, in this process.
"""

import threading

import pytest
import pytest_twisted
from twisted.internet import defer, reactor, task

from tpreactor.work import ThreadExecutor

from .twistedclient import connect, startServer

WELCOME = "Servidor: Conexión establecida el"
GOODBYE = "Servidor: Conexión finalizada."
REPLY = "Mensaje Recibido el"
ERROR = "Servidor: Error interno al procesar el mensaje."


def elapsedOf(line):
    h, m, s = line.rsplit(" ", 1)[1].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest_twisted.inlineCallbacks
def test_reactorWelcomesThreeAtOnce(servers):
    """
    In reactor mode three clients connected together are all welcomed
    before any of them says anything.
    """
    server = startServer("reactor")
    servers.append(server)
    clients = yield defer.gatherResults([connect(server.port) for _ in range(3)])
    welcomes = yield defer.gatherResults([c.line() for c in clients])
    assert all(w.startswith(WELCOME) for w in welcomes)
    replies = yield defer.gatherResults([c.ask("hola") for c in clients])
    assert all(r.startswith(REPLY) for r in replies)
    ports = sorted(p.peer.port for p in server.factory.connections)
    assert ports == sorted(c.localPort for c in clients)


@pytest_twisted.inlineCallbacks
def test_serialSecondWaitsForFirst(servers):
    """
    In serial mode the second client gets nothing until the first leaves,
    then its own welcome and an elapsed time counted from its turn.
    """
    server = startServer("serial")
    servers.append(server)
    first = yield connect(server.port)
    assert (yield first.line()).startswith(WELCOME)
    second = yield connect(server.port)
    early = second.line()
    yield first.ask("uno")
    yield task.deferLater(reactor, 0.5, lambda: None)
    assert not early.called
    first.send("salir\n")
    assert (yield first.line()).startswith(GOODBYE)
    yield first.closed
    assert (yield early).startswith(WELCOME)
    reply = yield second.ask("dos")
    assert elapsedOf(reply) < 0.5
    assert server.factory.active.peer.port == second.localPort


@pytest_twisted.inlineCallbacks
def test_threadsRunSideBySide(servers):
    """
    With --work in reactor mode, messages from different clients run in
    different threads at the same time: a barrier of three only opens if
    all three run together.
    """
    barrier = threading.Barrier(3, timeout=5)

    def useThreads(factory):
        factory.executor = ThreadExecutor(reactor, lambda text: barrier.wait(), 3)
        factory.executor.startService()

    server = startServer("reactor", factoryHook=useThreads)
    servers.append(server)
    clients = yield defer.gatherResults([connect(server.port) for _ in range(3)])
    yield defer.gatherResults([c.line() for c in clients])
    replies = yield defer.gatherResults([c.ask("x") for c in clients])
    assert all(r.startswith(REPLY) for r in replies)
    yield server.factory.executor.stopService()


@pytest_twisted.inlineCallbacks
def test_repliesInOrderAcrossThreads(servers):
    """
    Messages of one client handled on several threads are answered in the
    order sent: a slow message, a failing one and a fast one.
    """

    def work(text):
        if text.startswith("slow"):
            threading.Event().wait(0.2)
        if text == "boom":
            raise ValueError("boom")

    def useThreads(factory):
        factory.executor = ThreadExecutor(reactor, work, 4)
        factory.executor.startService()

    server = startServer("reactor", factoryHook=useThreads)
    servers.append(server)
    client = yield connect(server.port)
    yield client.line()
    client.send("slow\nboom\nfast\nslow2\n")
    replies = yield defer.gatherResults([client.line() for _ in range(4)])
    assert [r.startswith(REPLY) for r in replies] == [True, False, True, True]
    assert replies[1] == ERROR
    assert [elapsedOf(r) for r in (replies[0], replies[2], replies[3])] == sorted(
        elapsedOf(r) for r in (replies[0], replies[2], replies[3])
    )
    yield server.factory.executor.stopService()


@pytest_twisted.inlineCallbacks
def test_courseClientWithoutNewline(servers):
    """
    A client that sends C{hola} with no newline gets its reply.
    """
    server = startServer("reactor")
    servers.append(server)
    client = yield connect(server.port)
    yield client.line()
    client.send("hola")
    assert (yield client.line()).startswith(REPLY)


@pytest.mark.parametrize("mode", ["reactor", "serial"])
@pytest_twisted.inlineCallbacks
def test_salirThenHalfClose(servers, mode):
    """
    A client that sends C{salir} and shuts down its sending side still
    gets the goodbye (C{nc -N}).
    """
    server = startServer(mode, work=0.05)
    servers.append(server)
    client = yield connect(server.port)
    yield client.line()
    client.send("uno\nsalir")
    client.halfClose()
    assert (yield client.line()).startswith(REPLY)
    assert (yield client.line()).startswith(GOODBYE)
    yield client.closed.addTimeout(5, reactor)


@pytest_twisted.inlineCallbacks
def test_gracefulStopAnswersPendingWork(servers):
    """
    Stopping the server answers what was received, then sends the closing
    line; clients connecting afterwards are refused.
    """
    server = startServer("reactor", work=0.3, threads=2)
    client = yield connect(server.port)
    yield client.line()
    client.send("uno\n")
    yield task.deferLater(reactor, 0.05, lambda: None)
    stopped = server.stopService()
    assert (yield client.line()).startswith(REPLY)
    assert (yield client.line()) == "Servidor: El servidor cerró la conexión."
    yield stopped
    with pytest.raises(Exception):
        yield connect(server.port)


@pytest_twisted.inlineCallbacks
def test_serialStopTellsTheBacklog(servers):
    """
    A graceful stop in serial mode gives the clients still waiting in the
    kernel's backlog the closing line, with no welcome, not a reset.
    """
    server = startServer("serial")
    first = yield connect(server.port)
    assert (yield first.line()).startswith(WELCOME)
    waiting = yield defer.gatherResults([connect(server.port) for _ in range(3)])
    stopped = server.stopService()
    assert (yield first.line()) == "Servidor: El servidor cerró la conexión."
    lines = yield defer.gatherResults([c.line() for c in waiting])
    assert lines == ["Servidor: El servidor cerró la conexión."] * 3
    yield stopped
