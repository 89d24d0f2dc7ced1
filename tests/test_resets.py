"""
Tests for L{tpreactor.resets}: a client that resets while it is not read is
noticed and its work dropped; in memory, on a Clock, with a socket that says
when it was reset (and a real reset socket for the probe itself).
"""

import errno
import select
import socket
import struct

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.replies import MAX_QUEUED
from tpreactor.resets import PROBE_SECONDS, pendingError, socketOf
from tpreactor.session import CLOSE_TIMEOUT_SECONDS, SHUTDOWN, Phase

from .memory import Client, ManualExecutor, Server, serialServer

GONE = "Cliente 127.0.0.1:{port} se desconectó."


class FakeSocket:
    """
    A socket whose pending error the test sets, counting how often it is asked.
    """

    def __init__(self):
        self.error = 0
        self.asked = 0

    def getsockopt(self, level, option):
        assert (level, option) == (socket.SOL_SOCKET, socket.SO_ERROR)
        self.asked += 1
        error, self.error = self.error, 0
        return error


class SocketTransport(StringTransport):
    """
    An in-memory transport with a socket under it, as TCP and unix ones have.
    """

    def __init__(self, *args, **kwargs):
        StringTransport.__init__(self, *args, **kwargs)
        self.socket = FakeSocket()

    def getHandle(self):
        return self.socket


class Wrapper:
    """
    A wrapping protocol as a transport (TLS, say): its handle is no socket,
    the transport it wraps has one.
    """

    def __init__(self, transport):
        self.transport = transport

    def getHandle(self):
        return object()


def connect(server, port=53544):
    """
    A client of C{server} over a L{SocketTransport}.
    """
    address = IPv4Address("TCP", "127.0.0.1", port)
    protocol = server.factory.buildProtocol(address)
    transport = SocketTransport(peerAddress=address)
    protocol.makeConnection(transport)
    return Client(protocol, transport)


def flooded(executor=None):
    """
    A server with work that runs when the test says, and a client whose
    reading is paused behind MAX_QUEUED messages, the first one in the pool.
    """
    executor = executor or ManualExecutor()
    server = Server(executor=executor)
    client = connect(server)
    client.lines()
    client.send(b"x\n" * (MAX_QUEUED * 3))
    (protocol,) = executor.readyProtocols
    inPool = protocol.takeBatch(1)
    return server, client, inPool


class ProbeTests(SynchronousTestCase):
    def test_resetWhileWorkIsBackedUp(self):
        """
        A client reset while its work is backed up is closed within a probe
        period: its queued messages are dropped, not run.
        """
        server, client, _ = flooded()
        protocol = client.protocol
        self.assertEqual(client.transport.producerState, "paused")
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertIs(protocol.state.phase, Phase.CLOSING)
        self.assertTrue(client.closing)
        self.assertEqual((protocol.pending, protocol.takeBatch(64)), (0, []))

    def test_workInThePoolIsNotAnswered(self):
        """
        The work already in the pool when the reset is noticed is not
        answered, and once the transport reports the connection lost the
        console says the client disconnected and the factory forgets it.
        """
        server, client, inPool = flooded()
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        client.protocol.batchDone([None] * len(inPool))
        self.assertEqual((client.lines(), client.protocol.messages), ([], 0))
        with capturedLogs() as events:
            client.lose()
        self.assertEqual([formatEvent(e) for e in events], [GONE.format(port=53544)])
        self.assertEqual(server.factory.connections, {})
        self.assertEqual(server.clock.getDelayedCalls(), [])

    def test_aliveClientIsKept(self):
        """
        A paused client whose socket has no error is probed every period and
        kept; its messages are all answered once its work is done.
        """
        executor = ManualExecutor()
        server, client, inPool = flooded(executor)
        for _ in range(5):
            server.clock.advance(PROBE_SECONDS)
        self.assertEqual(client.transport.socket.asked, 5)
        self.assertIs(client.protocol.state.phase, Phase.SERVING)
        client.protocol.batchDone([None] * len(inPool))
        while executor.readyProtocols:
            executor.complete()
        self.assertEqual(len(client.lines()), MAX_QUEUED * 3)
        self.assertEqual(client.transport.producerState, "producing")

    def test_probeStopsOnceReadAgain(self):
        """
        Once the connection is read again the probe stops by itself: a
        client that is read is never probed.
        """
        executor = ManualExecutor()
        server, client, inPool = flooded(executor)
        client.protocol.batchDone([None] * len(inPool))
        while executor.readyProtocols:
            executor.complete()
        server.clock.advance(PROBE_SECONDS * 5)
        self.assertEqual(client.transport.socket.asked, 0)
        self.assertEqual(server.clock.getDelayedCalls(), [])

    def test_oneTimerForManyPauses(self):
        """
        A connection paused and read again many times within a period has
        one probe timer, not one per pause.
        """
        server = Server()
        client = connect(server)
        for _ in range(10):
            client.protocol.pauseProducing()
            client.protocol.resumeProducing()
        client.protocol.pauseProducing()
        self.assertEqual(len(server.clock.getDelayedCalls()), 1)

    def test_resetWhileRepliesAreNotRead(self):
        """
        A client reset while its transport's buffer is full is closed too.
        """
        server = Server()
        client = connect(server)
        client.lines()
        client.send(b"uno\n")
        client.protocol.pauseProducing()
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertTrue(client.closing)

    def test_resetWhileDraining(self):
        """
        A client reset while the server waits to frame what it sent (a
        graceful stop) is closed without its closing line.
        """
        server, client, _ = flooded()
        client.protocol.closeByServer(SHUTDOWN)
        self.assertIs(client.protocol.state.phase, Phase.DRAINING)
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertIs(client.protocol.state.phase, Phase.CLOSING)
        self.assertEqual(client.lines(), [])
        self.assertEqual(client.protocol.pending, 0)

    def test_resetOnceDrainingTimedOut(self):
        """
        A client reset after the wait for its unframed lines ran out, while
        its queued messages are still being answered, is closed too.
        """
        server, client, _ = flooded()
        client.protocol.closeByServer(SHUTDOWN)
        server.clock.advance(CLOSE_TIMEOUT_SECONDS)
        self.assertIs(client.protocol.state.phase, Phase.ENDING)
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertIs(client.protocol.state.phase, Phase.CLOSING)
        self.assertEqual(client.protocol.pending, 0)

    def test_resetWhileClosingChangesNothing(self):
        """
        A reset found once the connection is closing anyway changes nothing,
        and the probe stops.
        """
        server, client, _ = flooded()
        client.protocol.closeByServer(SHUTDOWN, atOnce=True)
        state = client.protocol.state
        client.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertIs(client.protocol.state, state)
        self.assertEqual(client.transport.socket.asked, 1)
        server.clock.advance(PROBE_SECONDS * 5)
        self.assertEqual(client.transport.socket.asked, 1)

    def test_resetWhileWaitingItsTurn(self):
        """
        In serial mode a client waiting its turn that resets is closed and
        leaves the queue; it is never served.
        """
        server = serialServer()
        first = connect(server, 53544)
        second = connect(server, 53545)
        self.assertEqual(server.factory.waiting, [second.protocol])
        second.transport.socket.error = errno.ECONNRESET
        server.clock.advance(PROBE_SECONDS)
        self.assertTrue(second.closing)
        second.lose()
        self.assertEqual(server.factory.waiting, [])
        first.lose()
        self.assertEqual(second.lines(), [])
        self.assertEqual(server.factory.connections, {})

    def test_noSocketNoProbe(self):
        """
        A transport with no socket under it (in memory) is never probed.
        """
        server = Server(executor=ManualExecutor())
        client = server.connect()
        client.send(b"x\n" * (MAX_QUEUED * 2))
        self.assertEqual(client.transport.producerState, "paused")
        self.assertEqual(server.clock.getDelayedCalls(), [])


class SocketTests(SynchronousTestCase):
    def test_socketThroughWrappers(self):
        """
        The socket is found under wrapping transports; none under a transport
        without one.
        """
        transport = SocketTransport()
        self.assertIs(socketOf(Wrapper(Wrapper(transport))), transport.socket)
        self.assertIsNone(socketOf(Wrapper(StringTransport())))
        self.assertIsNone(socketOf(StringTransport()))

    def test_realReset(self):
        """
        A real socket whose peer reset, with data it never read, has
        ECONNRESET pending; a sound one has no error, a closed one reads as none.
        """
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        self.addCleanup(server.close)
        client.sendall(b"x\n" * 1000)
        self.assertEqual(pendingError(server), 0)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        select.select([server], [], [], 5.0)  # the reset has arrived
        self.assertEqual(pendingError(server), errno.ECONNRESET)
        closed = socket.socket()
        closed.close()
        self.assertEqual(pendingError(closed), 0)
