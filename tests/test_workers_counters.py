"""
Tests for L{tpreactor.workers.counters}: what each worker counted, kept once
it is gone, so that the server's counters only grow.
"""

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.model import ServerState
from tpreactor.status.recorder import Recorder
from tpreactor.workers.counters import Tally, countersIn, countersOf, nothing


def counted(messages, full=0, count=None, buckets=((0.1, 0), (1.0, 0))):
    count = messages if count is None else count
    return {"messages": messages, "refusals": {"full": full, "shutdown": 0},
            "histogram": {"buckets": [[b, count] for b, _ in buckets], "sum": count * 0.01, "count": count}}


class TallyTests(SynchronousTestCase):
    def test_deadWorkersStay(self):
        """
        A worker that dies with 50 messages and 3 refusals leaves them in the total; its replacement counts from zero on top.
        """
        tally = Tally()
        first, second, replacement = object(), object(), object()
        tally.saw(first, counted(100, full=2))
        tally.saw(second, counted(50, full=3))
        self.assertEqual(tally.total()["messages"], 150)
        tally.gone(second)
        self.assertEqual((tally.total()["messages"], tally.total()["refusals"]["full"]), (150, 5))
        tally.saw(replacement, counted(1))
        total = tally.total()
        self.assertEqual((total["messages"], total["histogram"]["count"]), (151, 151))
        self.assertEqual(total["histogram"]["buckets"], [[0.1, 151], [1.0, 151]])

    def test_lateOldReadingTakesNothingBack(self):
        """
        An older reading that arrives after a newer one (a heartbeat after a snapshot) lowers nothing.
        """
        tally = Tally()
        worker = object()
        tally.saw(worker, counted(80, full=1))
        tally.saw(worker, counted(70, full=2))
        total = tally.total()
        self.assertEqual((total["messages"], total["refusals"]["full"], total["histogram"]["count"]), (80, 2, 80))

    def test_neverGoesBack(self):
        """
        Whatever the workers say, die or stay silent, no counter of the total ever drops.
        """
        tally = Tally()
        workers = [object() for _ in range(4)]
        previous = tally.total()
        for step in range(1, 40):
            worker = workers[step % 4]
            if step % 7 == 0:
                tally.gone(worker)
                workers[step % 4] = object()
            else:
                tally.saw(worker, counted(step * 3, full=step))
            total = tally.total()
            self.assertGreaterEqual(total["messages"], previous["messages"])
            self.assertGreaterEqual(total["refusals"]["full"], previous["refusals"]["full"])
            self.assertGreaterEqual(total["histogram"]["count"], previous["histogram"]["count"])
            previous = total

    def test_nothingSaidIsNothing(self):
        """
        A worker that records nothing (null counters) adds nothing; an empty tally is zeros.
        """
        tally = Tally()
        tally.saw(object(), None)
        self.assertEqual(tally.total(), nothing())

    def test_newRefusalReason(self):
        """
        A refusal reason one worker has and the others not is added, not lost.
        """
        tally = Tally()
        one, other = object(), object()
        tally.saw(one, counted(1))
        state = counted(1)
        state["refusals"]["idle"] = 4
        tally.saw(other, state)
        self.assertEqual(tally.total()["refusals"]["idle"], 4)


class ReadingTests(SynchronousTestCase):
    def test_fromARecorderAndASnapshot(self):
        """
        The counters read from a recorder are those a state of its process carries.
        """
        now = [0.0]
        recorder = Recorder(lambda: now[0])
        recorder.messages = 7
        recorder.refusals["full"] = 2
        mine = countersOf(recorder)
        self.assertEqual((mine["messages"], mine["refusals"]["full"], mine["histogram"]["count"]), (7, 2, 0))
        state = ServerState(pid=1, mode="reactor", holdsClients=False, serving=True, listening=(), uptime=1.0,
                            messages=mine["messages"], refusals=mine["refusals"], histogram=mine["histogram"])
        self.assertEqual(countersIn(state), mine)
