"""
Tests for L{tpreactor.logs.events}: the connection logger's events are
L{twisted.logger.Logger}'s.
"""

from twisted.logger import Logger, LogLevel
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.logs.events import ConnectionLogger


class ConnectionLoggerTests(SynchronousTestCase):
    def test_sameEventAsLogger(self):
        """
        C{info} gives the observer the event L{Logger.info} would, time aside.
        """
        ours, theirs = [], []
        ConnectionLogger(namespace="tpreactor", observer=ours.append).info("a {b}", b=1)
        Logger(namespace="tpreactor", observer=theirs.append).info("a {b}", b=1)
        [mine], [twisteds] = ours, theirs
        self.assertLess(abs(mine.pop("log_time") - twisteds.pop("log_time")), 5)
        self.assertIsInstance(mine.pop("log_logger"), ConnectionLogger)
        twisteds.pop("log_logger")
        self.assertEqual(mine, twisteds)
        self.assertIs(mine["log_level"], LogLevel.info)

    def test_trace(self):
        """
        An event that asks for its trace gets the logger in it, as with L{Logger}.
        """
        events = []
        log = ConnectionLogger(namespace="tpreactor", observer=events.append)
        log.info("x", log_trace=[])
        self.assertEqual(events[0]["log_trace"], [(log, events.append)])

    def test_otherLevels(self):
        """
        The other levels are L{Logger}'s own.
        """
        events = []
        ConnectionLogger(namespace="tpreactor", observer=events.append).warn("w")
        self.assertIs(events[0]["log_level"], LogLevel.warn)
