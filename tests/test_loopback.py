"""
Both modes over real loopback sockets, in this process.
"""

import threading

from twisted.internet import defer, reactor, task
from twisted.trial.unittest import TestCase

from tpreactor.work import ThreadExecutor

from .contract import ERROR, GOODBYE, REPLY, WELCOME
from .twistedclient import connect, startServer



def elapsedOf(line):
    h, m, s = line.rsplit(" ", 1)[1].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


class LoopbackTests(TestCase):
    @defer.inlineCallbacks
    def test_reactorWelcomesThreeAtOnce(self):
        """
        In reactor mode three clients connected together are all welcomed
        before any of them says anything.
        """
        server = startServer("reactor")
        self.addCleanup(server.stopService)
        clients = yield defer.gatherResults([connect(server.port) for _ in range(3)])
        welcomes = yield defer.gatherResults([c.line() for c in clients])
        assert all(w.startswith(WELCOME) for w in welcomes)
        replies = yield defer.gatherResults([c.ask("hola") for c in clients])
        assert all(r.startswith(REPLY) for r in replies)
        ports = sorted(p.peer.port for p in server.factory.connections)
        assert ports == sorted(c.localPort for c in clients)

    @defer.inlineCallbacks
    def test_serialSecondWaitsForFirst(self):
        """
        In serial mode the second client gets nothing until the first leaves,
        then its own welcome and an elapsed time counted from its turn.
        """
        server = startServer("serial")
        self.addCleanup(server.stopService)
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

    @defer.inlineCallbacks
    def test_threadsRunSideBySide(self):
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
        self.addCleanup(server.stopService)
        clients = yield defer.gatherResults([connect(server.port) for _ in range(3)])
        yield defer.gatherResults([c.line() for c in clients])
        replies = yield defer.gatherResults([c.ask("x") for c in clients])
        assert all(r.startswith(REPLY) for r in replies)
        yield server.factory.executor.stopService()

    @defer.inlineCallbacks
    def test_repliesInOrderAcrossThreads(self):
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
        self.addCleanup(server.stopService)
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

    @defer.inlineCallbacks
    def test_courseClientWithoutNewline(self):
        """
        A client that sends C{hola} with no newline gets its reply.
        """
        server = startServer("reactor")
        self.addCleanup(server.stopService)
        client = yield connect(server.port)
        yield client.line()
        client.send("hola")
        assert (yield client.line()).startswith(REPLY)

    def test_salirThenHalfCloseReactor(self):
        """
        A client of a reactor server that sends C{salir} and shuts down its
        sending side still gets the goodbye (C{nc -N}).
        """
        return self._salirThenHalfClose("reactor")

    def test_salirThenHalfCloseSerial(self):
        """
        A client of a serial server that sends C{salir} and shuts down its
        sending side still gets the goodbye (C{nc -N}).
        """
        return self._salirThenHalfClose("serial")

    @defer.inlineCallbacks
    def _salirThenHalfClose(self, mode):
        server = startServer(mode, work=0.05)
        self.addCleanup(server.stopService)
        client = yield connect(server.port)
        yield client.line()
        client.send("uno\nsalir")
        client.halfClose()
        assert (yield client.line()).startswith(REPLY)
        assert (yield client.line()).startswith(GOODBYE)
        yield client.closed.addTimeout(5, reactor)

    @defer.inlineCallbacks
    def test_gracefulStopAnswersPendingWork(self):
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
        yield self.assertFailure(connect(server.port), Exception)

    @defer.inlineCallbacks
    def test_serialStopTellsTheBacklog(self):
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


class DirectWriteLoopbackTests(TestCase):
    @defer.inlineCallbacks
    def test_reactorModeWritesToTheSocket(self):
        """
        In reactor mode a TCP connection's lines go straight to its socket;
        in serial mode (clients wait their turn) through the transport.
        """
        for mode, direct in (("reactor", True), ("serial", False)):
            server = startServer(mode)
            self.addCleanup(server.stopService)
            client = yield connect(server.port)
            assert (yield client.line()).startswith(WELCOME)
            assert (yield client.ask("hola")).startswith(REPLY)
            [protocol] = server.factory.connections
            assert (protocol._socket is not None) is direct, mode
            client.send("salir\n")
            assert (yield client.line()).startswith(GOODBYE)
            yield client.closed
