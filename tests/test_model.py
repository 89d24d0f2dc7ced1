"""
The model of the server's state (L{tpreactor.model}) as the single process
implements it (L{tpreactor.service.TimeServer}), in memory: its records of
the clients served and held, as data that goes through JSON unchanged, and
the operator's actions. The workers' main process passes the same tests in
L{tests.test_workers_model}.
"""

import json

from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from tpreactor.model import ClientRecord, IServerModel, ServerState, WorkerRecord
from tpreactor.model.process import LAST_MESSAGE_CHARACTERS, shownText

from .memory import Server, serialServer
from .contract import CLOSED




class ModelContract:
    """
    What every L{IServerModel} does, for a test case that gives
    C{make(recording=False)}: an in-memory server with three clients (the
    first sent two messages) and its model (recording from before the
    clients came, if asked); and C{settle()}, which lets whatever the model
    set going (a question to its workers) run its course.
    """

    def settle(self):
        pass

    def result(self, d):
        """
        What the Deferred C{d} fires with, once things settled.
        """
        self.settle()
        return self.successResultOf(d)

    def stateOf(self, server):
        return self.result(server.state())

    def test_provides(self):
        """
        It provides the whole interface.
        """
        memory, server, _ = self.make()
        self.assertTrue(verifyObject(IServerModel, server))

    def test_clients(self):
        """
        Its state lists every client in the order they came, with its address, its messages and how long it has been served.
        """
        memory, server, clients = self.make()
        memory.clock.advance(5)
        state = self.stateOf(server)
        self.assertEqual([c.peer for c in state.clients], [f"127.0.0.1:{p}" for p in (53544, 53545, 53546)])
        self.assertEqual([c.messages for c in state.clients], [2, 0, 0])
        self.assertEqual({c.seconds for c in state.clients}, {5.0})
        self.assertTrue(all(c.since.startswith("2024-05-13T15:15:") for c in state.clients))

    def test_disconnect(self):
        """
        Disconnecting a client gives it the closing line and says who was told; an unknown address tells nobody.
        """
        memory, server, clients = self.make()
        done = self.result(server.disconnect("127.0.0.1:53545"))
        self.assertEqual([peer for peer, _ in done.told], ["127.0.0.1:53545"])
        self.settle()
        self.assertEqual(clients[1].lines()[-1], CLOSED)
        done = self.result(server.disconnect("10.0.0.1:1"))
        self.assertEqual((done.told, done.silent), ((), ()))

    def test_stopAccepting(self):
        """
        Stopping accepting says how many clients are still served, and the state says it no longer serves.
        """
        memory, server, clients = self.make()
        self.assertEqual(self.result(server.stopAccepting())[2], 3)
        self.assertFalse(server.listening)
        self.assertFalse(self.stateOf(server).serving)

    def test_whenEmpty(self):
        """
        whenEmpty fires once the last client is gone.
        """
        memory, server, clients = self.make()
        empty = []
        server.whenEmpty().addCallback(empty.append)
        for client in clients:
            self.settle()
            self.assertEqual(empty, [])
            client.lose()
        self.settle()
        self.assertEqual(len(empty), 1)

    def test_recording(self):
        """
        Once recording, the state counts the replies and shows each client's last message.
        """
        memory, server, clients = self.make(recording=True)
        clients[1].send(b"hola\n")
        state = self.stateOf(server)
        self.assertEqual(state.messages, 3)
        self.assertEqual(state.clients[1].last, "hola")
        self.assertEqual(state.latency["count"], 3)
        self.assertEqual([lane.peer for lane in state.timeline], [c.peer for c in state.clients])

    def test_data(self):
        """
        A state goes through JSON and back unchanged.
        """
        memory, server, clients = self.make(recording=True)
        clients[0].send(b"otra\n")
        state = self.stateOf(server)
        self.assertEqual(ServerState.fromData(json.loads(json.dumps(state.asData()))), state)


class SingleProcessModelTests(ModelContract, SynchronousTestCase):
    def make(self, recording=False):
        memory = Server()
        server = memory.model()
        if recording:
            server.startRecording()
            server.startRecording()  # once is enough
        clients = [memory.connect() for _ in range(3)]
        clients[0].send(b"uno\ndos\n")
        for client in clients:
            client.lines()
        return memory, server, clients

    def test_heldClients(self):
        """
        In serial mode the clients held for their turn are in C{waiting}, in their turn's order, with no welcome time.
        """
        memory = serialServer()
        for _ in range(3):
            memory.connect()
        state = self.stateOf(memory.model())
        self.assertEqual([c.peer for c in state.clients], ["127.0.0.1:53544"])
        self.assertEqual([(c.peer, c.state, c.since) for c in state.waiting],
                         [("127.0.0.1:53545", "waiting", None), ("127.0.0.1:53546", "waiting", None)])
        self.assertTrue(state.holdsClients)

    def test_serialQueue(self):
        """
        In serial mode the state shows the one served, with its last message, and the others in their order, each with how long since it was accepted.
        """
        memory = serialServer()
        server = memory.model()
        server.startRecording()
        first = memory.connect()
        memory.clock.advance(1)
        memory.connect()
        memory.clock.advance(1)
        memory.connect()
        first.send(b"<b>hola</b>\n")
        memory.clock.advance(2)
        state = self.stateOf(server)
        self.assertEqual([(c.port, c.last, c.messages, c.seconds) for c in state.clients],
                         [(53544, "<b>hola</b>", 1, 4.0)])
        self.assertEqual([(w.port, w.seconds) for w in state.waiting], [(53545, 3.0), (53546, 2.0)])
        self.assertEqual((state.mode, state.holdsClients, state.serving, state.backlog), ("serial", True, True, None))
        self.assertEqual(state.pool, {"kind": "inline", "size": 1, "busy": 0, "queued": 0})

    def test_notServingOnceStopping(self):
        """
        Once a stop has begun, the state says it no longer serves.
        """
        memory = Server()
        server = memory.model()
        server.graceful.stopping = True
        self.assertFalse(self.stateOf(server).serving)

    def test_endNowAbandonsThePool(self):
        """
        Ending at once (option 3) has the pool abandon its work.
        """
        from tpreactor.service import TimeServer

        class Pool:
            abandoned = 0
            running = False

            def setServiceParent(self, parent):
                pass

            def abandon(self):
                self.abandoned += 1

        memory, pool = Server(), Pool()
        TimeServer(memory.factory, pool, [], memory.clock, "reactor").endNow()
        self.assertEqual(pool.abandoned, 1)


class RecordTests(SynchronousTestCase):
    def test_lastMessageCut(self):
        """
        A client's last message shows up to L{LAST_MESSAGE_CHARACTERS} characters, then an ellipsis; a shorter one whole.
        """
        self.assertEqual(shownText("a" * (LAST_MESSAGE_CHARACTERS + 1000)), "a" * LAST_MESSAGE_CHARACTERS + "\u2026")
        self.assertEqual(shownText("hola"), "hola")

    def test_escapedAfterTheCut(self):
        """
        The cut is made on the client's characters, then escaped: an escape sequence is never cut in half.
        """
        shown = shownText("\x1b" * (LAST_MESSAGE_CHARACTERS + 5))
        self.assertNotIn("\x1b", shown)
        self.assertEqual(shown[:-1], shownText("\x1b" * LAST_MESSAGE_CHARACTERS))

    def test_silentWorkers(self):
        """
        The workers that did not answer are the state's silent ones.
        """
        state = ServerState(pid=1, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=0.0,
                            workers=(WorkerRecord(1, 11, 3), WorkerRecord(2, 12, 5, silent=True)))
        self.assertEqual(state.silent, (WorkerRecord(2, 12, 5, silent=True),))

    def test_recordDefaults(self):
        """
        A record says nothing of a worker in one process.
        """
        record = ClientRecord("127.0.0.1:1", "127.0.0.1", 1, "serving", 0.0)
        self.assertEqual((record.worker, record.pid, record.last), (None, None, None))
