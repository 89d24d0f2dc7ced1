"""
The whole server's limits across workers: the main process's L{Gate}, and a
worker's factory that serves a client only once the gate admits it; the
clients PROXY headers claim, granted by the main process.
"""

from twisted.internet import defer
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.factory import TimeFactory
from tpreactor.workers.admission import ClaimsOfMain, Gate, admittedByMain
from tpreactor.workers.commands import Admit, Left
from tpreactor.workers.wiring import limitsFor
from tpreactor.factory import Settings

from .contract import FULL, WELCOME
from .memory import Server
from .test_workers_commands import Conversation



class GateTests(SynchronousTestCase):
    def test_maxConnections(self):
        """
        No more than maxConnections clients in all, whichever worker has them.
        """
        gate = Gate(2, 0)
        self.assertEqual([gate.admit(1, "a"), gate.admit(2, "b"), gate.admit(1, "c")], [True, True, False])
        gate.left(2, "b")
        self.assertTrue(gate.admit(1, "c"))

    def test_maxPerIp(self):
        """
        No more than maxPerIp clients from one address across workers.
        """
        gate = Gate(0, 2)
        self.assertEqual([gate.admit(1, "a"), gate.admit(2, "a"), gate.admit(1, "a")], [True, True, False])
        self.assertTrue(gate.admit(1, "b"))

    def test_workerGoneFreesItsClients(self):
        """
        A worker that ends takes its clients' places with it.
        """
        gate = Gate(2, 1)
        gate.admit(1, "a")
        gate.admit(2, "b")
        gate.workerGone(1)
        self.assertEqual((gate.total, gate.perIp), (1, {"b": 1}))
        self.assertTrue(gate.admit(2, "a"))

    def test_leftTwiceCountsOnce(self):
        """
        A Left for a client that is not counted changes nothing.
        """
        gate = Gate(0, 0)
        gate.admit(1, "a")
        gate.left(1, "a")
        gate.left(1, "a")
        self.assertEqual((gate.total, gate.perIp), (0, {}))


class FakeGate:
    """
    The main process's end, answered by the test.
    """

    def __init__(self):
        self.asked = []
        self.left = []

    def callRemote(self, command, host):
        if command is Left:
            self.left.append(host)
            return None
        assert command is Admit
        d = defer.Deferred()
        self.asked.append(d)
        return d


class AdmittedByMainTests(SynchronousTestCase):
    def setUp(self):
        self.memory = Server(factoryClass=admittedByMain(TimeFactory))
        self.gate = self.memory.factory.gate = FakeGate()

    def test_waitsForTheAnswer(self):
        """
        A client gets nothing until the main process admits it, then its welcome.
        """
        client = self.memory.connect()
        self.assertEqual(client.lines(), [])
        self.gate.asked.pop().callback({"admitted": True})
        self.assertTrue(client.lines()[0].startswith(WELCOME))

    def test_refused(self):
        """
        A client the main process refuses gets the server-full line and is closed.
        """
        client = self.memory.connect()
        self.gate.asked.pop().callback({"admitted": False})
        self.assertEqual(client.lines(), [FULL])
        self.assertTrue(client.closing)

    def test_leftIsTold(self):
        """
        An admitted client that leaves is told to the main process, once.
        """
        client = self.memory.connect()
        self.gate.asked.pop().callback({"admitted": True})
        client.lose()
        self.assertEqual(self.gate.left, ["127.0.0.1"])

    def test_goneBeforeTheAnswer(self):
        """
        A client gone before it was admitted gives its place back.
        """
        client = self.memory.connect()
        client.lose()
        self.gate.asked.pop().callback({"admitted": True})
        self.assertEqual(self.gate.left, ["127.0.0.1"])

    def test_mainGone(self):
        """
        Without an answer from the main process (it is gone), the client is refused.
        """
        client = self.memory.connect()
        self.gate.asked.pop().errback(RuntimeError("gone"))
        self.assertEqual(client.lines(), [FULL])


class LimitsForTests(SynchronousTestCase):
    def test_noLimitsNoGate(self):
        """
        Without an explicit --max-connections or --max-per-ip nothing is counted across workers.
        """
        settings = Settings(maxConnections=1000)
        self.assertEqual(limitsFor(settings, False), (settings, None))

    def test_explicitLimitsAreTheGates(self):
        """
        Explicit limits go to the gate; each worker keeps only its open-file bound.
        """
        workerSettings, gate = limitsFor(Settings(maxConnections=5, maxPerIp=2), True)
        self.assertEqual((gate.maxConnections, gate.maxPerIp), (5, 2))
        self.assertEqual(workerSettings.maxPerIp, 0)
        self.assertNotEqual(workerSettings.maxConnections, 5)


class ClaimsOverAmpTests(SynchronousTestCase):
    def test_claimedOnceAcrossTheConversation(self):
        """
        A worker's claim of a proxied client is the main process's to grant, once while it is live.
        """
        talk = Conversation()
        claims = ClaimsOfMain(talk.control)
        results = []
        for _ in range(2):
            claims.claim("10.0.0.5:50000").addCallback(results.append)
        talk.pump.flush()
        self.assertEqual(results, [True, False])
        claims.release("10.0.0.5:50000")
        talk.pump.flush()
        claims.claim("10.0.0.5:50000").addCallback(results.append)
        talk.pump.flush()
        self.assertEqual(results, [True, False, True])

    def test_mainGoneIsFree(self):
        """
        With the main process gone nobody can refuse: the claim is taken as free, and a release says nothing.
        """
        talk = Conversation()
        talk.main.transport.loseConnection()
        talk.pump.flush()
        results = []
        claims = ClaimsOfMain(talk.control)
        claims.claim("10.0.0.5:1").addCallback(results.append)
        claims.release("10.0.0.5:1")
        self.assertEqual(results, [True])
