"""
Tests for L{tpreactor.listening}: option 1 closes the listeners
(and, in serial mode, the held clients), and the kernel's accept queue is
read on Linux.
"""

import errno
import socket
import sys

from twisted.internet import defer
from twisted.internet.address import IPv4Address, UNIXAddress
from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import IPushProducer
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase
from zope.interface import implementer

from tpreactor.listening import ListeningService, explainListenError, kernelBacklog, queuedConnections

from .memory import Server, serialServer
from .contract import CLOSED
from .shutdownfakes import messages, timeServer


class FakeListeningPort:
    """
    What an endpoint's C{listen} gives: an address, and a way to stop.
    """

    def __init__(self, address):
        self.address = address
        self.stopped = 0

    def getHost(self):
        return self.address

    def stopListening(self):
        self.stopped += 1
        return defer.succeed(None)


@implementer(IPushProducer)
class PausablePort(FakeListeningPort):
    def pauseProducing(self):
        pass

    def resumeProducing(self):
        pass

    def stopProducing(self):
        pass


class FakeEndpoint:
    """
    An endpoint that listens at once with C{outcome} (a port or a Failure),
    or never answers.
    """

    def __init__(self, outcome=None):
        self.outcome = outcome

    def listen(self, factory):
        if self.outcome is None:
            return defer.Deferred()
        if isinstance(self.outcome, Exception):
            return defer.fail(self.outcome)
        return defer.succeed(self.outcome)


def loopback(port=6667):
    return FakeListeningPort(IPv4Address("TCP", "127.0.0.1", port))


class CloseListenersTests(SynchronousTestCase):
    def test_reactorMode(self):
        """
        Option 1 stops the listeners and leaves the connected clients alone.
        """
        memory = Server()
        server, listener = timeServer(memory)
        client = memory.connect()
        client.lines()
        self.assertEqual(self.successResultOf(server.stopAccepting()), (0, None, 1))
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
        closed, backlog, stillServed = self.successResultOf(server.stopAccepting())
        self.assertEqual((closed, stillServed), (2, 1))
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
        server.stopAccepting()
        with capturedLogs() as events:
            self.successResultOf(server.stopService())
        self.assertEqual(messages(events), [])

    def listeningPort(self):
        """
        A listening loopback socket and a port class that holds it.
        """
        if not sys.platform.startswith("linux"):
            raise self.skipTest("TCP_INFO on listening sockets is Linux only")
        listening = socket.socket()
        self.addCleanup(listening.close)
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)

        class Port:
            socket = listening

        return listening, Port

    def test_queuedConnections(self):
        """
        On Linux the connections waiting in a listening socket's accept
        queue are counted.
        """
        listening, Port = self.listeningPort()
        self.assertEqual(queuedConnections(Port()), 0)
        clients = [socket.create_connection(listening.getsockname()) for _ in range(2)]
        for c in clients:
            self.addCleanup(c.close)
        self.assertEqual(queuedConnections(Port()), 2)
        self.assertIsNone(queuedConnections(object()))

    def test_kernelBacklog(self):
        """
        The clients waiting their turn in the kernel's backlog are counted for
        a factory that holds clients (serial mode), over all its ports; a
        port the kernel says nothing about counts none.
        """
        listening, Port = self.listeningPort()
        clients = [socket.create_connection(listening.getsockname()) for _ in range(2)]
        for c in clients:
            self.addCleanup(c.close)
        serial = serialServer()
        serial.factory.ports.append(Port())
        self.assertEqual(kernelBacklog(serial.factory), 2)
        others = Server()
        others.factory.ports.append(Port())
        self.assertEqual(kernelBacklog(others.factory), 0)
        self.assertEqual(kernelBacklog(serialServer().factory), 0)


class ListeningServiceTests(SynchronousTestCase):
    def test_listens(self):
        """
        The privileged start listens on the endpoint and registers the port
        with the factory, silently; the start then logs where it listens
        (so a later endpoint that cannot listen ends the start before it).
        """
        memory = Server()
        port = loopback()
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "reactor")
        with capturedLogs() as events:
            service.privilegedStartService()
        self.assertIs(service.port, port)
        self.assertIn(port, memory.factory.ports)
        self.assertEqual(messages(events), [])
        with capturedLogs() as events:
            service.startService()
        self.assertEqual(messages(events), ["Servidor en modo reactor escuchando en 127.0.0.1:6667"])

    def test_stop(self):
        """
        Stopping stops listening and takes the port off the factory's list;
        a second stop does nothing.
        """
        memory = Server()
        port = loopback()
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "reactor")
        service.privilegedStartService()
        service.startService()
        self.successResultOf(service.stopService())
        self.assertEqual(port.stopped, 1)
        self.assertNotIn(port, memory.factory.ports)
        self.assertIsNone(service.port)
        self.assertIsNone(service.stopService())

    def test_exposedWithoutPerIpLimit(self):
        """
        Listening on every interface without --max-per-ip is warned about.
        """
        memory = Server()
        port = FakeListeningPort(IPv4Address("TCP", "0.0.0.0", 6667))
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "reactor")
        with capturedLogs() as events:
            service.privilegedStartService()
            service.startService()
        self.assertTrue(messages(events)[1].startswith("Atención: 0.0.0.0:6667 acepta clientes de cualquier interfaz"))

    def test_exposedWithPerIpLimit(self):
        """
        With --max-per-ip, every interface is no warning.
        """
        memory = Server(maxPerIp=2)
        port = FakeListeningPort(IPv4Address("TCP", "0.0.0.0", 6667))
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "reactor")
        with capturedLogs() as events:
            service.privilegedStartService()
            service.startService()
        self.assertEqual(len(events), 1)

    def test_unixSocket(self):
        """
        A unix socket listens and is no warning (it has no interfaces).
        """
        memory = Server()
        port = FakeListeningPort(UNIXAddress("/tmp/tp.sock"))
        service = ListeningService("unix:/tmp/tp.sock", FakeEndpoint(port), memory.factory, "reactor")
        with capturedLogs() as events:
            service.privilegedStartService()
            service.startService()
        self.assertEqual(messages(events), ["Servidor en modo reactor escuchando en unix:/tmp/tp.sock"])

    def test_cannotListen(self):
        """
        Failing to listen is one line naming the endpoint and the reason.
        """
        error = CannotListenError("127.0.0.1", 6667, OSError(98, "Address already in use"))
        service = ListeningService("tcp:6667", FakeEndpoint(error), Server(lang="en").factory, "reactor")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(str(raised.exception), "tpreactor: cannot listen on tcp:6667: Address already in use")

    def test_endpointThatDoesNotAnswer(self):
        """
        An endpoint that does not listen at once is one line too.
        """
        service = ListeningService("tcp:6667", FakeEndpoint(), Server(lang="en").factory, "reactor")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(
            str(raised.exception), "tpreactor: cannot listen on tcp:6667: the endpoint did not answer"
        )

    def test_cannotListenInSpanish(self):
        """
        In the default language the line and the system's reason are Spanish.
        """
        error = CannotListenError("127.0.0.1", 6667, OSError(errno.EADDRINUSE, "Address already in use"))
        service = ListeningService("tcp:6667", FakeEndpoint(error), Server().factory, "reactor")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(
            str(raised.exception), "tpreactor: no se puede escuchar en tcp:6667: La dirección ya está en uso"
        )
        service = ListeningService("tcp:6667", FakeEndpoint(), Server().factory, "reactor")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(str(raised.exception), "tpreactor: no se puede escuchar en tcp:6667: el endpoint no respondió")

    def test_serialNeedsAPausablePort(self):
        """
        A mode that pauses its ports refuses a port that cannot pause, and
        stops listening on it.
        """
        memory = serialServer(lang="en")
        port = loopback()
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "serial")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(
            str(raised.exception), "tpreactor: tcp:6667 cannot pause accepting, which serial mode needs"
        )
        service = ListeningService("tcp:6667", FakeEndpoint(loopback()), serialServer().factory, "serial")
        with self.assertRaises(SystemExit) as raised:
            service.privilegedStartService()
        self.assertEqual(
            str(raised.exception),
            "tpreactor: tcp:6667 no puede dejar de aceptar conexiones, y el modo serial lo necesita",
        )
        self.assertEqual(port.stopped, 1)

    def test_serialWithAPausablePort(self):
        """
        A port that can pause serves a mode that pauses its ports.
        """
        memory = serialServer()
        port = PausablePort(IPv4Address("TCP", "127.0.0.1", 6667))
        service = ListeningService("tcp:6667", FakeEndpoint(port), memory.factory, "serial")
        service.privilegedStartService()
        self.assertIs(service.port, port)


class ExplainListenErrorTests(SynchronousTestCase):
    def test_socketError(self):
        """
        A listen error with a socket error is explained by its strerror.
        """
        error = CannotListenError("", 80, PermissionError(13, "Permission denied"))
        self.assertEqual(explainListenError(error), "Permission denied")

    def test_lastLine(self):
        """
        Any other error is its message's last line.
        """
        self.assertEqual(explainListenError(ValueError("bad\nkey file missing\n")), "key file missing")

    def test_noMessage(self):
        """
        An error with no message is its type's name.
        """
        self.assertEqual(explainListenError(RuntimeError()), "RuntimeError")
