# -*- test-case-name: tests.test_workers_logs -*-
"""
A worker's console lines, through the main process's log: a worker writes
each event as one record (its level, its namespace, its text after the
worker's number) on a pipe to the main process, which logs it with its own
observer. So the lines of every process come out one way, wherever the
main process logs (twistd's observer or C{tpreactor.consolelog}, a terminal
whose prompt goes below each line, a log file), and never mixed.
"""

from twisted.logger import ILogObserver, Logger, LogLevel, formatEvent
from twisted.python.failure import Failure
from zope.interface import implementer

#: Between the fields of a record, and in place of a newline in its text.
FIELD, NEWLINE = "\x1f", "\x1e"


def workerPrefix(number):
    """
    What a worker's console lines begin with.
    """
    return f"[w{number}] "


def record(level, namespace, text):
    """
    One event as a line of the pipe.
    """
    return f"{level}{FIELD}{namespace}{FIELD}{text.replace(chr(10), NEWLINE)}\n"


def eventText(event):
    """
    An event's text (its traceback too), as twistd's observer writes it.
    """
    fmt = event.get("log_format")
    text = None
    if type(fmt) is str and "(" not in fmt:
        try:
            text = fmt.format_map(event)
        except Exception:  # what Twisted does with a bad event is its own business
            text = None
    if text is None:
        text = formatEvent(event)
    failure = event.get("log_failure")
    if isinstance(failure, Failure):
        text = f"{text}\n{failure.getTraceback()}".rstrip("\n")
    return text


@implementer(ILogObserver)
class WorkerObserver:
    """
    Every event of a worker, as a record for the main process, written at
    the end of the reactor turn (all of that turn's in one write).
    """

    def __init__(self, number, write, callLater=None, running=lambda: False):
        self.prefix = workerPrefix(number)
        self._write = write
        self._callLater = callLater
        self._running = running
        self._pending = []
        self._flushCall = None

    def __call__(self, event):
        text = eventText(event)
        if not text:
            return
        level = event.get("log_level") or LogLevel.info
        self._pending.append(record(level.name, event.get("log_namespace", "-"), self.prefix + text))
        if self._callLater is None or not self._running():
            self.flush()
        elif self._flushCall is None:
            self._flushCall = self._callLater(0, self.flush)

    def flush(self):
        self._flushCall = None
        data, self._pending = "".join(self._pending), []
        if data:
            self._write(data.encode("utf-8", "replace"))


class Relay:
    """
    In the main process: the records of one worker's pipe, logged again.
    """

    def __init__(self):
        self._buffer = b""
        self._loggers = {}

    def received(self, data):
        lines = (self._buffer + data).split(b"\n")
        self._buffer = lines.pop()
        for line in lines:
            self.relay(line.decode("utf-8", "replace"))

    def relay(self, line):
        level, namespace, text = (line.split(FIELD, 2) + ["", ""])[:3]
        try:
            level = LogLevel.levelWithName(level)
        except Exception:
            level, text = LogLevel.info, line
        logger = self._loggers.get(namespace)
        if logger is None:
            logger = self._loggers[namespace] = Logger(namespace=namespace)
        # Twisted's legacy events (log.msg) show as twistd shows them: [-].
        extra = {"log_system": "-"} if namespace == "log_legacy" else {}
        logger.emit(level, "{text}", text=text.replace(NEWLINE, "\n"), **extra)

    def ended(self):
        if self._buffer:
            self.relay(self._buffer.decode("utf-8", "replace"))
            self._buffer = b""
