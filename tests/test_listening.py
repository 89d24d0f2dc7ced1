"""
Tests for L{tpreactor.shutdown.listening}: option 1 closes the listeners
(and, in serial mode, the held clients), and the kernel's accept queue is
read on Linux.
"""

import socket
import sys

from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.shutdown.listening import queuedConnections

from .memory import Server, serialServer
from .shutdownfakes import CLOSED, messages, timeServer


class CloseListenersTests(SynchronousTestCase):
    def test_reactorMode(self):
        """
        Option 1 stops the listeners and leaves the connected clients alone.
        """
        memory = Server()
        server, listener = timeServer(memory)
        client = memory.connect()
        client.lines()
        self.assertEqual(self.successResultOf(server.closeListeners()), (0, None))
        self.assertEqual(listener.stopped, 1)
        self.assertFalse(client.closing)
        self.assertFalse(server.listening)

    def test_serialClosesHeldClients(self):
        """
        In serial mode option 1 closes the held clients without a welcome and
        counts them; the one being served goes on.
        """
        memory = serialServer()
        server, _ = timeServer(memory)
        served = memory.connect()
        held = [memory.connect(), memory.connect()]
        closed, backlog = self.successResultOf(server.closeListeners())
        self.assertEqual(closed, 2)
        for client in held:
            self.assertEqual(client.lines(), [CLOSED])
            self.assertTrue(client.closing)
        self.assertFalse(served.closing)

    def test_thenStopServiceIsQuiet(self):
        """
        After option 1, the stop when the last client has left does not
        announce a shutdown of connections that are not there.
        """
        memory = Server()
        server, listener = timeServer(memory)
        server.closeListeners()
        with capturedLogs() as events:
            self.successResultOf(server.stopService())
        self.assertEqual(messages(events), [])

    def test_queuedConnections(self):
        """
        On Linux the connections waiting in a listening socket's accept
        queue are counted.
        """
        if not sys.platform.startswith("linux"):
            raise self.skipTest("TCP_INFO on listening sockets is Linux only")
        listening = socket.socket()
        self.addCleanup(listening.close)
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)

        class Port:
            socket = listening

        self.assertEqual(queuedConnections(Port()), 0)
        clients = [socket.create_connection(listening.getsockname()) for _ in range(2)]
        for c in clients:
            self.addCleanup(c.close)
        self.assertEqual(queuedConnections(Port()), 2)
        self.assertIsNone(queuedConnections(object()))
