# -*- test-case-name: tests.test_workers_logs -*-
"""
A worker's console lines, in one of two forms:

- lines: when the main process logs to its standard output in twistd's
  text format (C{twistd -n}, its own observer or C{tpreactor.logs.console}),
  a worker writes its lines in that format, the worker's number before the
  text: straight to that standard output (whole lines, each write at most
  C{PIPE_BUF} bytes, so two processes' lines never mix) or, when an
  operator's terminal shows a prompt, to the main process, which copies
  them above it. The main process formats nothing.
- records: otherwise (a log file, another observer), each event is one
  record (level, namespace, text) that the main process logs again with
  its own observer.

Either way the lines of every process come out one way, and never mixed.
"""

import sys

from twisted.logger import ILogObserver, Logger, LogLevel, formatEvent
from twisted.python.failure import Failure
from zope.interface import implementer

from ..logs.console import TWISTD_LOGGER, ConsoleObserver

#: The twistd observers whose lines a worker can write itself (C{None}: twistd's own).
LINE_LOGGERS = (None, TWISTD_LOGGER)


def linesWanted(twistdOptions):
    """
    Whether the main process, run with C{twistdOptions} (twistd's own, or
    C{None} outside twistd), logs to its standard output in twistd's text
    format, so that the workers may write their lines themselves.
    """
    if twistdOptions is None:
        return False
    get = twistdOptions.get
    return bool(get("nodaemon")) and get("logfile") in (None, "", "-") and get("logger") in LINE_LOGGERS \
        and not get("syslog")

#: What the kernel writes to a pipe in one piece (POSIX's minimum, Linux's).
PIPE_BUF = 4096
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


class _Sink:
    """
    What L{ConsoleObserver} writes to: collected, then written in pieces of
    whole lines of at most L{PIPE_BUF} bytes, which the kernel writes to a
    pipe or a file shared with other processes without mixing them.
    """

    def __init__(self, write):
        self._write = write
        self._pending = []

    def write(self, text):
        self._pending.append(text)

    def flush(self):
        data, self._pending = "".join(self._pending).encode("utf-8", "replace"), []
        while data:
            cut = len(data)
            if cut > PIPE_BUF:
                cut = data.rfind(b"\n", 0, PIPE_BUF) + 1 or PIPE_BUF
            self._write(data[:cut])
            data = data[cut:]


@implementer(ILogObserver)
class WorkerLines:
    """
    Every event of a worker as twistd's text observer writes it, the
    worker's number before its text, written at the end of each reactor turn.
    """

    def __init__(self, number, write, callLater=None, running=lambda: False):
        self.prefix = workerPrefix(number)
        self._sink = _Sink(write)
        self._console = ConsoleObserver(self._sink, callLater, running, console=True)

    def __call__(self, event):
        fmt = event.get("log_format")
        if isinstance(fmt, str):
            event = dict(event, log_format=self.prefix + fmt)
        self._console(event)

    def flush(self):
        self._sink.flush()


class Relay:
    """
    In the main process: what one worker's pipe carries, copied to our
    standard output (C{lines}) or logged again (records).
    """

    def __init__(self, lines=False, out=None):
        self.lines = lines
        self._out = out
        self._buffer = b""
        self._loggers = {}

    def received(self, data):
        lines = (self._buffer + data).split(b"\n")
        self._buffer = lines.pop()
        if not lines:
            return
        if self.lines:
            out = self._out or sys.stdout
            out.write(b"\n".join(lines).decode("utf-8", "replace") + "\n")
            out.flush()
            return
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
            self.received(b"\n")
