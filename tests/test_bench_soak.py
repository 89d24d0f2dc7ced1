"""
A short soak: churning and flooding clients lose no reply.
"""

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.bench.soak import soak


class ShortSoakTests(SynchronousTestCase):
    def _shortSoakLosesNothing(self, serverArgs):
        result = soak(2.0, churners=10, flooders=3, floodSize=300, serverArgs=serverArgs)
        assert result["errors"] == []
        assert result["sessions"] > 0
        assert result["sent"] > 0
        assert result["lostReplies"] == 0
        assert result["goodbyes"] == result["sessions"]
        assert result["tracebacksInLog"] == 0

    def test_shortSoakLosesNothing(self):
        """
        Two seconds of churners and flooders against a default server lose no
        reply, leave no session without its goodbye and no traceback in the log.
        """
        self._shortSoakLosesNothing([])

    def test_shortSoakLosesNothingWithThreads(self):
        """
        The same soak against a server doing its work in a pool of four
        threads loses nothing either.
        """
        self._shortSoakLosesNothing(["--work", "0.001", "--threads", "4"])
