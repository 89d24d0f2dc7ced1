"""
The AMP conversation between the main process and a worker, in memory: a
worker's L{WorkerControl} on a real factory and clients, the main process's
L{MainControl}, and an L{IOPump} between them.
"""

import io
import json

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.logger import LogLevel, capturedLogs
from twisted.test.iosim import connectedServerAndClient
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.proxy import Claims
from tpreactor.workers.admission import Gate
from twisted.internet import defer

from tpreactor.logs.console import ConsoleObserver
from tpreactor.model import ClientRecord, ServerState
from tpreactor.workers.commands import Admit, CloseListeners, Heartbeat, Kick, Left, State, Stop, WhenEmpty
from tpreactor.workers.control import GOODBYE_SECONDS, LOAD_SECONDS, WorkerControl
from tpreactor.workers.counters import Tally
from tpreactor.workers.process import WorkerProcess

from .memory import Server
from .contract import CLOSED
from .shutdownfakes import messages, timeServer


class ListeningAt:
    """
    A listening port on 127.0.0.1:6667, as far as a state reads it.
    """

    def getHost(self):
        return IPv4Address("TCP", "127.0.0.1", 6667)


class Conversation:
    """
    A worker with clients in memory, its control, and the main process's end.
    """

    def __init__(self, gate=None, status=False):
        self.memory = Server()
        self.server, self.listener = timeServer(self.memory)
        self.listener.port = ListeningAt()
        if status:
            self.server.startRecording()
        self.stops = []
        self.flushed = []
        self.clock = self.memory.clock
        self.claims = Claims()
        self.tally = Tally()
        self.worker = WorkerProcess(1, lambda worker: None, gate, 0.0, self.memory.factory.catalogue,
                                    claims=self.claims, tally=self.tally)
        self.main, self.control, self.pump = connectedServerAndClient(
            lambda: WorkerControl(self.server, lambda: self.stops.append(True), self.clock,
                                  lambda: self.flushed.append(True)),
            lambda: self.worker.control,
        )

    def ask(self, command, **kwargs):
        """
        The worker's answer to C{command} from the main process.
        """
        return self._answer(self.main, command, kwargs)

    def askMain(self, command, **kwargs):
        """
        The main process's answer to C{command} from the worker.
        """
        return self._answer(self.control, command, kwargs)

    def _answer(self, side, command, kwargs):
        results = []
        side.callRemote(command, **kwargs).addBoth(results.append)
        self.pump.flush()
        return results[0] if results else None


class WorkerControlTests(SynchronousTestCase):
    def setUp(self):
        self.talk = Conversation()
        self.first = self.talk.memory.connect()
        self.second = self.talk.memory.connect()
        self.first.lines()
        self.second.send(b"hola\n")

    def test_state(self):
        """
        State answers the worker's state as data: its clients' records, never console text.
        """
        state = ServerState.fromData(json.loads(self.talk.ask(State)["state"]))
        self.assertEqual([(c.peer, c.messages) for c in state.clients], [("127.0.0.1:53544", 0), ("127.0.0.1:53545", 1)])
        self.assertEqual(state.listening, ("127.0.0.1:6667",))

    def test_kickReachesTheClient(self):
        """
        Kick closes the client named, with the closing line, and answers its address.
        """
        self.assertEqual(self.talk.ask(Kick, peer="127.0.0.1:53545"), {"peer": "127.0.0.1:53545"})
        self.assertEqual(self.second.lines()[-1], CLOSED)
        self.assertTrue(self.second.closing)
        self.assertFalse(self.first.closing)

    def test_kickUnknown(self):
        """
        Kick answers an empty address when the worker has no such client.
        """
        self.assertEqual(self.talk.ask(Kick, peer="127.0.0.1:1"), {"peer": ""})

    def test_loadIsReportedWhenItChanges(self):
        """
        Every LOAD_SECONDS the worker tells the main process how many clients it has.
        """
        self.talk.clock.advance(LOAD_SECONDS)
        self.talk.pump.flush()
        self.assertEqual(self.talk.worker.clients, 2)
        self.first.lose()
        self.talk.clock.advance(LOAD_SECONDS)
        self.talk.pump.flush()
        self.assertEqual(self.talk.worker.clients, 1)

    def test_stop(self):
        """
        Stop is answered, then the worker stops gracefully.
        """
        self.assertEqual(self.talk.ask(Stop), {})
        self.talk.clock.advance(0)
        self.assertEqual(self.talk.stops, [True])

    def test_mainGoneStopsTheWorker(self):
        """
        When the main process's end of the connection goes, the worker stops.
        """
        self.talk.main.transport.loseConnection()
        self.talk.pump.flush()
        self.assertEqual(self.talk.stops, [True])

    def test_closeListeners(self):
        """
        CloseListeners stops the worker's listeners and says how many it still serves.
        """
        answer = self.talk.ask(CloseListeners)
        self.assertEqual((answer["waiting"], answer["served"]), (0, 2))
        self.assertEqual(self.talk.listener.stopped, 1)

    def test_whenEmpty(self):
        """
        WhenEmpty is answered once the last client is gone.
        """
        results = []
        self.talk.main.callRemote(WhenEmpty).addCallback(results.append)
        self.talk.pump.flush()
        self.first.lose()
        self.talk.pump.flush()
        self.assertEqual(results, [])
        self.second.lose()
        self.talk.pump.flush()
        self.assertEqual(results, [{}])
        # Its console lines went out before the answer.
        self.assertEqual(self.talk.flushed, [True])

    def test_ready(self):
        """
        A worker that accepts says so, and the main process logs it with its number.
        """
        with capturedLogs() as events:
            self.talk.control.ready(pid=4242)
            self.talk.pump.flush()
        self.assertIn("[w1] Proceso trabajador listo (pid 4242).", messages(events))


class MainControlTests(SynchronousTestCase):
    def test_admitAndLeft(self):
        """
        Admit counts against the main process's gate; Left makes room again.
        """
        talk = Conversation(gate=Gate(1, 0))
        self.assertEqual(talk.askMain(Admit, host="10.0.0.1"), {"admitted": True})
        self.assertEqual(talk.askMain(Admit, host="10.0.0.2"), {"admitted": False})
        talk.control.callRemote(Left, host="10.0.0.1")
        talk.pump.flush()
        self.assertEqual(talk.askMain(Admit, host="10.0.0.2"), {"admitted": True})

    def test_noGateAdmitsNobody(self):
        """
        A worker asks only when there is a gate; without one the answer is no.
        """
        self.assertEqual(Conversation().askMain(Admit, host="10.0.0.1"), {"admitted": False})

    def test_clockIsTheReactors(self):
        """
        The load report runs on the clock it was given.
        """
        talk = Conversation()
        self.assertIsInstance(talk.clock, Clock)


class WorkerProcessTests(SynchronousTestCase):
    def test_heldLinesWrittenBeforeAsking(self):
        """
        What the main process logged before it asks a worker (held for the
        console's flush) is written before the command leaves: the worker
        writes its answering lines straight to the same output.
        """
        talk = Conversation()
        out = io.StringIO()
        held = ConsoleObserver(out, Clock().callLater, lambda: True, inReactorThread=lambda: True, batch=True)
        held({"log_format": "Señal SIGTERM recibida: cierre ordenado.", "log_level": LogLevel.info,
              "log_namespace": "tpreactor", "log_time": 0.0})
        self.assertEqual(out.getvalue(), "")
        transport = talk.worker.control.transport
        written, send = [], transport.write

        def write(data):
            written.append(out.getvalue())
            send(data)

        transport.write = write
        talk.worker.callRemote(Heartbeat)
        self.assertIn("Señal SIGTERM recibida", written[0])


class HeartbeatTests(SynchronousTestCase):
    def test_heartbeatSaysClientsAndCounters(self):
        """
        Heartbeat answers how many clients the worker has and what it counted.
        """
        talk = Conversation(status=True)
        talk.memory.connect().send(b"hola\nque tal\n")
        talk.memory.connect()
        answer = talk.ask(Heartbeat)
        counted = json.loads(answer["counters"])
        self.assertEqual((answer["clients"], counted["messages"]), (2, 2))
        self.assertEqual(counted["histogram"]["count"], 2)
        self.assertEqual(set(counted["refusals"]), {"full", "shutdown"})

    def test_heartbeatWithoutStatus(self):
        """
        A worker that records nothing (no --status) still answers, with null counters.
        """
        talk = Conversation()
        self.assertEqual(talk.ask(Heartbeat), {"clients": 0, "counters": "null"})

    def test_goodbyeLeavesTheCounters(self):
        """
        A worker that ends says what it counted last, and the main process keeps it once the worker is gone.
        """
        talk = Conversation(status=True)
        talk.memory.connect().send(b"uno\ndos\ntres\n")
        done = []
        talk.control.goodbye().addCallback(done.append)
        talk.pump.flush()
        self.assertEqual(done, [None])
        talk.tally.gone(talk.worker)
        self.assertEqual(talk.tally.total()["messages"], 3)

    def test_goodbyeBounded(self):
        """
        A goodbye the main process does not take is given up after GOODBYE_SECONDS; with nothing recorded, none is said.
        """
        talk = Conversation(status=True)
        done = []
        talk.control.goodbye().addCallback(done.append)
        talk.clock.advance(GOODBYE_SECONDS)
        self.assertEqual(done, [None])
        quiet = Conversation()
        quiet.control.goodbye().addCallback(done.append)
        self.assertEqual(done, [None, None])


class StateTests(SynchronousTestCase):
    def test_recordedState(self):
        """
        A worker that records (--status) says its clients with their last messages and its counters.
        """
        talk = Conversation(status=True)
        talk.memory.connect()
        second = talk.memory.connect()
        second.send(b"hola\n")
        state = ServerState.fromData(json.loads(talk.ask(State)["state"]))
        self.assertEqual([(c.port, c.last) for c in state.clients], [(53544, None), (53545, "hola")])
        self.assertEqual(state.messages, 1)
        self.assertIsInstance(state.pid, int)

    def test_unrecordedState(self):
        """
        A worker that records nothing (no --status) still says its clients, and no counters.
        """
        talk = Conversation()
        talk.memory.connect()
        state = ServerState.fromData(json.loads(talk.ask(State)["state"]))
        self.assertEqual((len(state.clients), state.messages), (1, None))

    def test_beyondOneAmpValue(self):
        """
        A state longer than one AMP value (64 KiB) arrives whole, non-ASCII text included.
        """
        talk = Conversation()
        clients = tuple(ClientRecord(f"127.0.0.1:{n}", "127.0.0.1", n, "serving", 1.0, last="ñandú " * 40)
                        for n in range(1000))
        big = ServerState(pid=1, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=1.0,
                          clients=clients)
        talk.server.state = lambda: defer.succeed(big)
        answer = talk.ask(State)
        self.assertGreater(len(answer["state"].encode("utf-8")), 3 * 65535)
        self.assertEqual(ServerState.fromData(json.loads(answer["state"])), big)
