"""
Tests for L{tpreactor.service}: the TimeServer's children start in order,
and what the operator asks of it goes to the graceful stop and the
listeners.
"""

from twisted.application.service import Service
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.service import TimeServer

from .memory import Server
from .shutdownfakes import FakeListener, HeldExecutor


class Recorder(Service):
    """
    A child that records when it starts and stops.
    """

    def __init__(self, name, record):
        self.name = name
        self.record = record

    def startService(self):
        Service.startService(self)
        self.record.append(("start", self.name))

    def stopService(self):
        Service.stopService(self)
        self.record.append(("stop", self.name))


class TimeServerTests(SynchronousTestCase):
    def test_startOrder(self):
        """
        The pool starts first, then the listeners, then the children added
        later (the operator).
        """
        record = []
        memory = Server()
        listener = Recorder("listener", record)
        listener.port = None
        server = TimeServer(memory.factory, Recorder("pool", record), [listener], memory.clock, "reactor")
        Recorder("operator", record).setServiceParent(server)
        server.startService()
        self.assertEqual(record, [("start", "pool"), ("start", "listener"), ("start", "operator")])

    def test_stopOrder(self):
        """
        Stopping stops the listeners, then the pool, then the other children
        last added first.
        """
        record = []
        memory = Server()
        listener = Recorder("listener", record)
        listener.port = None
        pool = Recorder("pool", record)
        pool.abandon = lambda: None
        server = TimeServer(memory.factory, pool, [listener], memory.clock, "reactor")
        Recorder("operator", record).setServiceParent(server)
        Recorder("console", record).setServiceParent(server)
        server.startService()
        del record[:]
        self.successResultOf(server.stopService())
        self.assertEqual(
            record, [("stop", "listener"), ("stop", "pool"), ("stop", "console"), ("stop", "operator")]
        )
        self.assertFalse(server.running)

    def test_stopAccepting(self):
        """
        Option 1 goes to the listeners: they stop and the server says so.
        """
        memory = Server()
        listener = FakeListener()
        server = TimeServer(memory.factory, None, [listener], memory.clock, "reactor")
        self.assertTrue(server.listening)
        self.assertEqual(self.successResultOf(server.stopAccepting()), (0, None, 0))
        self.assertEqual(listener.stopped, 1)
        self.assertFalse(server.listening)

    def test_theGracefulStopIsTheServers(self):
        """
        What the graceful stop records (stopping, cut, hurried, abandoned and
        the exit status) reads the same on the server.
        """
        memory = Server(executor=HeldExecutor())
        server = TimeServer(memory.factory, None, [FakeListener()], memory.clock, "reactor")
        client = memory.connect()
        client.send(b"lento\n")
        self.assertFalse(server.stopping)
        server.stopService()
        self.assertTrue(server.stopping)
        self.assertTrue(server.hurry())
        client.lose()
        self.assertIs(server.cut, server.graceful.cut)
        self.assertEqual(server.cut, ["127.0.0.1:53544"])
        self.assertTrue(server.hurried)
        self.assertFalse(server.abandoned)
        self.assertEqual(server.exitStatus, server.graceful.exitStatus)
        self.assertEqual(server.exitStatus, 1)
