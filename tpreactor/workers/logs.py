# -*- test-case-name: tests.test_workers_logs -*-
"""
A worker's console lines: written straight to the standard output it shares
with the main process (nothing to relay), each as twistd writes its own, with
the worker's number before the text: C{<time> [tpreactor#info] [w2] ...}.

Several processes write to one pipe or file, so every write is of whole
lines and at most C{PIPE_BUF} bytes: the kernel never mixes two of them.
"""

import os

from twisted.logger import ILogObserver
from zope.interface import implementer

from ..consolelog import ConsoleObserver

#: What the kernel writes to a pipe in one piece (POSIX's minimum, Linux's).
PIPE_BUF = 4096


def workerPrefix(number):
    """
    What a worker's console lines begin with.
    """
    return f"[w{number}] "


class LineWriter:
    """
    A file-like sink for L{ConsoleObserver}: collects text and writes it to
    C{fd} in whole lines, at most L{PIPE_BUF} bytes a write, when flushed.
    """

    def __init__(self, fd, write=os.write):
        self.fd = fd
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
            chunk, data = data[:cut], data[cut:]
            while chunk:
                try:
                    chunk = chunk[self._write(self.fd, chunk):]
                except BlockingIOError:
                    continue
                except OSError:
                    return


@implementer(ILogObserver)
class WorkerObserver:
    """
    Every event of a worker, its text prefixed with the worker's number.
    """

    def __init__(self, number, sink):
        self.prefix = workerPrefix(number)
        self._observer = sink

    def __call__(self, event):
        fmt = event.get("log_format")
        if isinstance(fmt, str):
            event = dict(event, log_format=self.prefix + fmt)
        self._observer(event)


def workerObserver(number, reactor, fd=1):
    """
    The observer a worker logs with, and the L{LineWriter} under it: to
    C{fd}, flushed at the end of each reactor turn (and by whoever stops the
    reactor: what is logged in its last turn waits for that).
    """
    writer = LineWriter(fd)
    sink = ConsoleObserver(writer, reactor.callLater, lambda: reactor.running)
    return WorkerObserver(number, sink), writer
