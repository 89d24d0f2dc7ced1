"""
In-memory connections for the unit tests: a protocol on a StringTransport,
time on a Clock, the wall clock fixed at a known date.
"""

import re
from datetime import datetime

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IPushProducer
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from tpreactor.clock import FakeClock
from tpreactor.factory import SerialFactory, Settings, TimeFactory
from tpreactor.work import InlineExecutor, SleepWork
from zope.interface import implementer

#: 13 May at 15:15 local time, the contract's example.
START = datetime(2024, 5, 13, 15, 15, 30)


@implementer(IPushProducer)
class FakePort:
    """
    A listening port that records whether it accepts.
    """

    def __init__(self):
        self.accepting = True

    def pauseProducing(self):
        self.accepting = False

    def resumeProducing(self):
        self.accepting = True

    def stopProducing(self):
        self.accepting = False


class Server:
    """
    A factory on a Clock, and a way to connect clients to it in memory.
    """

    def __init__(self, settings=None, executor=None, factoryClass=TimeFactory, clock=None, **changes):
        self.clock = clock or Clock()
        settings = settings or Settings(**changes)
        self.factory = factoryClass(
            settings, self.clock, FakeClock(self.clock, START), executor or InlineExecutor(SleepWork(0))
        )
        self.port = FakePort()
        self.factory.addPort(self.port)
        self._nextPort = 53544

    def model(self, backlog=None):
        """
        The server as the operator's tools see it (a
        L{tpreactor.service.TimeServer} with no listener), its kernel's
        accept queue holding C{backlog} clients when given.
        """
        from tpreactor.service import TimeServer

        server = TimeServer(self.factory, None, [], self.clock, "serial" if self.factory.holdsClients else "reactor")
        if backlog is not None:
            server.kernelBacklog = lambda: backlog
        return server

    def connect(self, host="127.0.0.1", port=None):
        if port is None:
            port, self._nextPort = self._nextPort, self._nextPort + 1
        address = IPv4Address("TCP", host, port)
        protocol = self.factory.buildProtocol(address)
        transport = StringTransport(peerAddress=address)
        protocol.makeConnection(transport)
        return Client(protocol, transport)


def serialServer(**changes):
    return Server(factoryClass=SerialFactory, **changes)


#: IAC WILL/WONT/DO/DONT <option>: what the server answers a telnet request.
TELNET_ANSWER = re.compile(rb"\xff[\xfb-\xfe].", re.DOTALL)


class Client:
    """
    One in-memory connection: what was written to it, line by line.
    """

    def __init__(self, protocol, transport):
        self.protocol = protocol
        self.transport = transport
        self._read = 0

    def send(self, data):
        self.protocol.dataReceived(data)

    def sendInChunks(self, data, size):
        for i in range(0, len(data), size):
            self.protocol.dataReceived(data[i:i + size])

    def lines(self):
        """
        Every line the server wrote since the last call (without its answers
        to telnet requests, as a telnet client shows it).
        """
        value = self.transport.value()
        new, self._read = value[self._read:], len(value)
        return TELNET_ANSWER.sub(b"", new).decode("utf-8").splitlines()

    @property
    def closing(self):
        return self.transport.disconnecting

    def lose(self):
        self.protocol.connectionLost(Failure(ConnectionDone()))


class ManualExecutor:
    """
    An executor whose batches complete when the test says so.
    """

    inline = False
    trivial = False

    def __init__(self):
        self.readyProtocols = []

    def ready(self, protocol):
        self.readyProtocols.append(protocol)

    def complete(self, outcome=None):
        protocol = self.readyProtocols.pop(0)
        batch = protocol.takeBatch(64)
        protocol.batchDone([outcome] * len(batch))
        return batch
