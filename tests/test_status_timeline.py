"""
The record of who was served when (L{tpreactor.status.timeline}): in
memory, on a Clock, its lanes and its bounds; then over real sockets, a
churn of thousands of clients that leaves the server's memory flat; and
/timeline.json, which has no client's text.
"""

import json
import socket

import psutil
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.model import LaneRecord, ServerState
from tpreactor.status.timeline import MAX_LANES, MAX_MARKS, WINDOW_SECONDS, Timeline, timelineData

from .memory import Server, serialServer
from .support import ServerProcess, freePort


class Peer:
    def __init__(self, joined):
        self.joined = joined


class Connection:
    """
    What the timeline reads of a connection: its peer and when it was welcomed.
    """

    startedMono = None

    def __init__(self, port):
        self.peer = Peer(f"127.0.0.1:{port}")


class TimelineTests(SynchronousTestCase):
    def test_lane(self):
        """
        A client's lane has when it was accepted, welcomed and gone, and each message's arrival and reply.
        """
        timeline, client = Timeline(), Connection(1)
        timeline.opened(client, 10.0)
        client.startedMono = 12.0
        timeline.answered(client, 12.5, 12.8)
        timeline.closed(client, 13.0)
        [lane] = timeline.lanes(14.0)
        self.assertEqual((lane.peer, lane.accepted, lane.welcomed, lane.left, list(lane.marks)),
                         ("127.0.0.1:1", 10.0, 12.0, 13.0, [(12.5, 12.8)]))

    def test_lastMinuteOnly(self):
        """
        A client gone more than L{WINDOW_SECONDS} ago is no longer shown; one still there is, however old.
        """
        timeline, old, gone = Timeline(), Connection(1), Connection(2)
        timeline.opened(old, 0.0)
        timeline.opened(gone, 1.0)
        timeline.closed(gone, 2.0)
        self.assertEqual([lane.peer for lane in timeline.lanes(2.0 + WINDOW_SECONDS - 1)], ["127.0.0.1:1", "127.0.0.1:2"])
        self.assertEqual([lane.peer for lane in timeline.lanes(2.0 + WINDOW_SECONDS + 1)], ["127.0.0.1:1"])

    def test_boundedUnderChurn(self):
        """
        Ten thousand clients that come and go within a minute leave at most L{MAX_LANES} lanes, the newest.
        """
        timeline = Timeline()
        for n in range(10_000):
            client = Connection(n)
            timeline.opened(client, n * 0.001)
            timeline.closed(client, n * 0.001 + 0.0005)
        lanes = timeline.lanes(10.0)
        self.assertEqual(len(lanes), MAX_LANES)
        self.assertEqual(lanes[-1].peer, "127.0.0.1:9999")
        self.assertLessEqual(len(timeline._gone), MAX_LANES)

    def test_manyMessagesCounted(self):
        """
        Past L{MAX_MARKS} messages, a client's earliest ones are only counted, with the time their work took.
        """
        timeline, client = Timeline(), Connection(1)
        timeline.opened(client, 0.0)
        for n in range(MAX_MARKS + 10):
            timeline.answered(client, n, n + 0.25)
        [lane] = timeline.lanes(100.0)
        self.assertEqual((len(lane.marks), lane.earlier, lane.busy), (MAX_MARKS, 10, 2.5))
        self.assertEqual(lane.marks[0], (10, 10.25))


class RecordedTests(SynchronousTestCase):
    def test_serialTimesOnTheServersClock(self):
        """
        In serial mode the second client's lane waits from its accept to its welcome, which is when the first left.
        """
        memory = serialServer()
        server = memory.model()
        server.startRecording()
        first = memory.connect()
        memory.connect()
        memory.clock.advance(2)
        first.send(b"salir\n")
        first.lose()
        memory.clock.advance(1)
        state = self.successResultOf(server.state())
        data = timelineData(state)
        one, two = data["lanes"]
        self.assertEqual((one["accepted"], one["welcomed"], one["left"]), (0.0, 0.0, 2.0))
        self.assertEqual((two["accepted"], two["welcomed"], two["left"]), (0.0, 2.0, None))
        self.assertEqual(data["now"], 3.0)

    def test_noClientText(self):
        """
        /timeline.json has each lane's times and address, never what the client said.
        """
        memory = Server()
        server = memory.model()
        server.startRecording()
        memory.connect().send(b"secreto de hola\n")
        body = json.dumps(timelineData(self.successResultOf(server.state())))
        self.assertNotIn("secreto", body)
        self.assertIn('"work": [[', body)

    def test_secondsSinceTheStart(self):
        """
        The lanes' wall times are written as seconds since the server started.
        """
        state = ServerState(pid=1, mode="serial", holdsClients=True, serving=True, listening=(), uptime=10.0,
                            takenAt=1000.0, timeline=(LaneRecord("127.0.0.1:1", 995.0, 996.5, None, ((996.5, 997.0),)),))
        lane = timelineData(state)["lanes"][0]
        self.assertEqual((lane["accepted"], lane["welcomed"], lane["left"], lane["work"]), (5.0, 6.5, None, [[6.5, 7.0]]))


class ChurnTests(SynchronousTestCase):
    def churn(self, port, count):
        for _ in range(count):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                file = sock.makefile("rwb")
                file.readline()
                file.write(b"salir\n")
                file.flush()
                file.readline()

    def test_memoryFlatUnderChurn(self):
        """
        Thousands of clients through a server whose status endpoint records the timeline leave its memory flat: the record stays within its bound.
        """
        statusPort = freePort()
        with ServerProcess("--quiet", "--status", f"tcp:{statusPort}:interface=127.0.0.1") as server:
            process = psutil.Process(server.proc.pid)
            self.churn(server.port, 1000)
            before = process.memory_info().rss
            self.churn(server.port, 3000)
            grown = process.memory_info().rss - before
            self.assertLess(grown, 2**20, f"{grown / 2**20:.1f} MB more after 3,000 more clients")
