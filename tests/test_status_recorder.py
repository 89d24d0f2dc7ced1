"""
Tests for L{tpreactor.status.recorder} on in-memory connections: off it
changes nothing, on it measures every reply and counts refusals.
"""

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.recorder import Recorder

from .memory import ManualExecutor, Server


def recorded(server):
    recorder = Recorder(server.factory.monotonic)
    recorder.install(server.factory)
    return recorder


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
