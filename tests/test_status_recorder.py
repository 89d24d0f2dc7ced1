"""
Tests for L{tpreactor.status.recorder} and L{tpreactor.status.snapshot}
on in-memory connections: off it changes nothing, on it measures every
reply, counts refusals, and the snapshot shows who is served and who waits.
"""

from types import SimpleNamespace

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.recorder import Recorder
from tpreactor.status.snapshot import LAST_MESSAGE_CHARACTERS, merge, shownText, snapshot

from .memory import ManualExecutor, Server, serialServer


def recorded(server):
    recorder = Recorder(server.factory.monotonic)
    recorder.install(server.factory)
    return recorder


def fakeServer(server, listening=True, stopping=False):
    return SimpleNamespace(factory=server.factory, listening=listening, stopping=stopping, listeners=[])


class OffTests(SynchronousTestCase):
    def test_directPathKept(self):
        """
        Without --status a connection with no work replies directly and measures nothing.
        """
        server = Server()
        client = server.connect()
        self.assertIsNone(server.factory.status)
        self.assertTrue(client.protocol._direct)
        self.assertIsNone(client.protocol._received)


class OnTests(SynchronousTestCase):
    def test_sameReplies(self):
        """
        With --status the client gets the same lines as without.
        """
        lines = []
        for status in (False, True):
            server = Server()
            if status:
                recorded(server)
            client = server.connect()
            server.clock.advance(1.5)
            client.send(b"hola\nque tal\n")
            lines.append(client.lines())
        self.assertEqual(lines[0], lines[1])
        self.assertEqual(len(lines[1]), 3)

    def test_latencyMeasured(self):
        """
        A reply's latency runs from its message framed to its reply written.
        """
        executor = ManualExecutor()
        server = Server(executor=executor)
        recorder = recorded(server)
        client = server.connect()
        client.send(b"uno\n")
        server.clock.advance(0.2)
        executor.complete()
        summary = recorder.latency.summary(server.clock.seconds())
        self.assertEqual((summary["count"], summary["p50"]), (1, 0.2))
        self.assertEqual(recorder.messages, 1)
        self.assertEqual(recorder.lastText[client.protocol], "uno")

    def test_droppedQueueForgotten(self):
        """
        Messages dropped by a close at once leave no latency behind.
        """
        executor = ManualExecutor()
        server = Server(executor=executor)
        recorded(server)
        client = server.connect()
        client.send(b"uno\ndos\n")
        client.protocol.closeByServer("operator", atOnce=True)
        self.assertEqual(len(client.protocol._received), 0)

    def test_refusalsCounted(self):
        """
        A client turned away because the server is full counts as a refusal, by reason.
        """
        server = Server(maxConnections=1)
        recorder = recorded(server)
        server.connect()
        refused = server.connect()
        refused.lose()
        self.assertEqual(recorder.refusals, {"full": 1, "shutdown": 0})

    def test_forgottenWhenGone(self):
        """
        A connection that is gone leaves nothing in the recorder.
        """
        server = Server()
        recorder = recorded(server)
        client = server.connect()
        client.send(b"hola\n")
        client.lose()
        self.assertEqual((recorder.since, recorder.lastText), ({}, {}))
        self.assertEqual(recorder.refusals, {"full": 0, "shutdown": 0})


class SnapshotTests(SynchronousTestCase):
    def test_serialQueue(self):
        """
        In serial mode the snapshot shows the one served and the others in their order.
        """
        server = serialServer()
        recorder = recorded(server)
        first = server.connect()
        server.clock.advance(1)
        server.connect()
        server.clock.advance(1)
        server.connect()
        first.send(b"<b>hola</b>\n")
        server.clock.advance(2)
        state = snapshot(fakeServer(server), recorder, "serial")
        self.assertEqual([c["port"] for c in state["clients"]], [53544])
        self.assertEqual(state["clients"][0]["last"], "<b>hola</b>")
        self.assertEqual(state["clients"][0]["messages"], 1)
        self.assertEqual(state["clients"][0]["seconds"], 4.0)
        self.assertEqual([(w["port"], w["seconds"]) for w in state["waiting"]], [(53545, 3.0), (53546, 2.0)])
        self.assertEqual((state["mode"], state["holdsClients"], state["serving"], state["backlog"]), ("serial", True, True, None))
        self.assertEqual(state["pool"], {"kind": "inline", "size": 1, "busy": 0, "queued": 0})

    def test_notServingOnceStopping(self):
        """
        Once a stop has begun, or the socket is closed, the snapshot says it no longer serves.
        """
        server = Server()
        recorder = recorded(server)
        self.assertFalse(snapshot(fakeServer(server, stopping=True), recorder, "reactor")["serving"])
        self.assertFalse(snapshot(fakeServer(server, listening=False), recorder, "reactor")["serving"])

    def test_merge(self):
        """
        Several processes' snapshots add up: counts, bins and lists, percentiles taken again.
        """
        states = []
        for latency in (0.001, 0.5):
            server = Server()
            recorder = recorded(server)
            client = server.connect()
            client.send(b"hola\n")
            recorder.latency.observe(latency, server.clock.seconds())
            states.append(snapshot(fakeServer(server), recorder, "reactor"))
        whole = merge(states)
        self.assertEqual(len(whole["clients"]), 2)
        self.assertEqual(whole["messages"], 2)
        self.assertEqual(whole["latency"]["count"], 4)
        self.assertEqual(whole["latency"]["p99"], 0.5)
        self.assertEqual(whole["histogram"]["count"], 4)
        self.assertTrue(whole["serving"])


class ShownTextTests(SynchronousTestCase):
    def test_cut(self):
        """
        A client's last message shows up to L{LAST_MESSAGE_CHARACTERS} characters, then an ellipsis; a shorter one whole.
        """
        long = "a" * (LAST_MESSAGE_CHARACTERS + 1000)
        self.assertEqual(shownText(long), "a" * LAST_MESSAGE_CHARACTERS + "\u2026")
        self.assertEqual(shownText("hola"), "hola")

    def test_escapedAfterTheCut(self):
        """
        The cut is made on the client's characters, then escaped: an escape sequence is never cut in half.
        """
        text = "\x1b" * (LAST_MESSAGE_CHARACTERS + 5)
        shown = shownText(text)
        self.assertTrue(shown.endswith("\u2026"))
        self.assertNotIn("\x1b", shown)
        self.assertEqual(shown[:-1], shownText("\x1b" * LAST_MESSAGE_CHARACTERS))
