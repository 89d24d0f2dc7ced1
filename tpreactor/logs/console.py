# -*- test-case-name: tests.test_logs_console -*-
"""
A log observer for twistd that writes the same lines as its own text
observer at a fraction of the cost, for servers under load:

    twistd --logger=tpreactor.logs.console.observer -n tpreactor

twistd's observer formats the time and its zone for every event, parses
the event's format string in Python, and flushes every line. Here the time
stamp is formatted once a second, the format string goes to C{str.format},
and the lines written while the reactor runs are flushed together, at most
L{FLUSH_SECONDS} after the first of them: a line per message would
otherwise cost a system call, a timed call and a turn of the reactor each.

twistd makes this observer its default for C{twistd tpreactor} (see
L{tpreactor.logs.twistd}).
"""

import io
import re
import sys
from threading import get_ident
from weakref import WeakSet

from twisted.logger import ILogObserver, LogLevel, formatEventAsClassicLogText, formatTime
from twisted.python import threadable
from zope.interface import implementer

from .events import ConnectionLogger

#: What to give C{twistd --logger} for this observer.
TWISTD_LOGGER = "tpreactor.logs.console.observer"
#: While the reactor runs, a line is flushed at most this long after it is
#: written (a person cannot tell; a busy server writes many lines at once).
FLUSH_SECONDS = 0.001


#: What Twisted says on its own that tells the operator nothing the server's
#: lines do not: a port starting and closing, a factory starting and
#: stopping (legacy lines), twistd's version and reactor at start, the end
#: of the main loop. A wrapped factory (a PROXY listener's) is named with its
#: wrappers in parentheses; a unix socket by its quoted path.
_CHATTER_LINES = re.compile(r"\S+(?: \(\S+\))* starting on .+|\(\S+ Port .+ Closed\)|(Starting|Stopping) factory .*|"
                            r"Server Shut Down\.")
_CHATTER_NAMESPACES = frozenset({"twisted.scripts._twistd_unix.UnixAppLogger", "twisted.internet.base"})


def isChatter(event):
    """
    Whether C{event} is one of Twisted's informational lines about itself
    (see L{_CHATTER_LINES}); warnings and errors never are.
    """
    namespace = event.get("log_namespace")
    if namespace == "log_legacy":
        text = event.get("log_text")
        if type(text) is not str or not _CHATTER_LINES.fullmatch(text):
            return False
    elif namespace not in _CHATTER_NAMESPACES:
        return False
    level = event.get("log_level")
    return level is None or level <= LogLevel.info


#: The namespaces L{isChatter} looks into (a cheap test for every line).
_CHATTY = _CHATTER_NAMESPACES | {"log_legacy"}


def isInIOThread():
    """
    L{twisted.python.threadable.isInIOThread}, without looking up the
    current thread's object for every line.
    """
    return threadable.ioThread == get_ident()


@implementer(ILogObserver)
class ConsoleObserver:
    """
    Writes each event as C{<time> [<namespace>#<level>] <text>}, exactly as
    twistd's text observer does.

    Events this fast path does not cover (a traceback, a legacy event, a
    format with calls in it, fields that are missing) are formatted by
    Twisted's own L{formatEventAsClassicLogText}, so every line comes out
    the same either way.

    @ivar callLater: schedules the flush, L{FLUSH_SECONDS} later; a write
        outside a running reactor, or from another thread, is flushed at once.
    @ivar batch: whether the lines wait here until the flush, to be written
        in one call: the default for a text stream that is no terminal (a
        file, a pipe), which may write through every line (C{python -u},
        C{PYTHONUNBUFFERED}). A terminal's stream, the operator's screen and
        a twistd log file (which rotates by size) get every line as it comes.
    @ivar console: whether it writes the operator's console (standard
        output), which shows the server's lines and not Twisted's lines
        about itself (L{isChatter}); a log file keeps those.
    """

    def __init__(self, outFile, callLater=None, running=lambda: False, inReactorThread=isInIOThread, batch=None,
                 console=False):
        self._outFile = outFile
        self.console = console
        self._callLater = callLater
        self._running = running
        self._inReactorThread = inReactorThread
        self._second = None
        self._stamp = ""
        self._prefixes = {}
        self._flushCall = None
        self.batch = batchable(outFile) if batch is None else batch
        self._held = []

    def __call__(self, event):
        if self.console and event.get("log_namespace") in _CHATTY and isChatter(event):
            return
        if self._callLater is None or not self._running():
            self.flush(self._line(event))
        elif not self._inReactorThread():
            # callLater is for the reactor thread only; and the lines held
            # are the reactor thread's to write.
            self._outFile.write(self._line(event))
            self._outFile.flush()
        else:
            if self.batch:
                if not self._held:
                    _holding.add(self)
                # A connection's events carry strings and numbers only: they
                # are formatted at the flush, out of the way of the replies.
                self._held.append(event if isinstance(event.get("log_logger"), ConnectionLogger)
                                  else self._line(event))
            else:
                self._outFile.write(self._line(event))
            if self._flushCall is None:
                self._flushCall = self._callLater(FLUSH_SECONDS, self._flush)

    def _flush(self):
        self._flushCall = None
        self.flush()

    def flush(self, text=""):
        """
        Write the lines held, then C{text}, and flush the stream.
        """
        if self._held:
            held, self._held = self._held, []
            _holding.discard(self)
            fast = self._fast
            lines = []
            for line in held:
                if type(line) is not str:
                    event = line
                    line = fast(event)
                    if line is None:
                        line = formatEventAsClassicLogText(event) or ""
                lines.append(line)
            lines.append(text)
            text = "".join(lines)
        if text:
            self._outFile.write(text)
        self._outFile.flush()

    def _line(self, event):
        """
        The text for C{event}: its line, or C{""} for none.
        """
        text = self._fast(event)
        if text is None:
            text = formatEventAsClassicLogText(event) or ""
        return text

    def _fast(self, event):
        """
        The line for an ordinary event, or C{None} when it is not one.
        """
        fmt = event.get("log_format")
        when = event.get("log_time")
        level = event.get("log_level")
        if type(fmt) is not str or when is None or level is None or "log_failure" in event:
            return None
        if "log_system" in event or "(" in fmt:
            return None
        try:
            text = fmt.format_map(event)
        except Exception:  # what Twisted does with a bad event is its own business
            return None
        if not text:  # twistd writes no line for an empty event (a bare print(), say)
            return ""
        second = int(when)
        if second != self._second:
            self._second = second
            self._stamp = formatTime(when)
            self._prefixes = {}
        if "\n" in text:
            text = text.replace("\n", "\n\t")
        # The start of the line, per namespace and level, made once a second.
        key = (event.get("log_namespace", "-"), level)
        prefix = self._prefixes.get(key)
        if prefix is None:
            prefix = self._prefixes[key] = f"{self._stamp} [{key[0]}#{level.name}] "
        return prefix + text + "\n"


#: The observers holding lines (see L{flushAll}).
_holding = WeakSet()


def flushAll():
    """
    Write every line an observer holds: for a process that ends at once
    (C{os._exit}), which no reactor turn follows.
    """
    for held in list(_holding):
        held.flush()


def batchable(outFile):
    """
    Whether the lines for C{outFile} are best held until the flush: a text
    stream that is no terminal.
    """
    if not isinstance(outFile, io.TextIOBase):
        return False
    try:
        return not outFile.isatty()
    except (OSError, ValueError):
        return False


def observer():
    """
    The observer for C{twistd --logger=tpreactor.logs.console.observer}: to
    standard output, flushed at most FLUSH_SECONDS after each line.
    """
    from twisted.internet import reactor

    return ConsoleObserver(sys.stdout, reactor.callLater, lambda: reactor.running, console=True)
