# -*- test-case-name: tests.test_logs_events -*-
"""
The logger of the lines written for every connection and message: the
events twisted.logger builds, for less of its per-event work.
"""

from time import time

from twisted.logger import Logger, LogLevel

_INFO = LogLevel.info


class ConnectionLogger(Logger):
    """
    A L{Logger} whose C{info} builds the same event as L{Logger.emit} does,
    without checking again, for every event, that C{info} is a level.
    """

    def info(self, format=None, **event):
        event["log_logger"] = self
        event["log_level"] = _INFO
        event["log_namespace"] = self.namespace
        event["log_source"] = self.source
        event["log_format"] = format
        event["log_time"] = time()
        if "log_trace" in event:
            event["log_trace"].append((self, self.observer))
        self.observer(event)
