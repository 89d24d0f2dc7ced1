# -*- test-case-name: tests.test_logs_twistd -*-
"""
tpreactor's console observer as twistd's default: when the operator gives
no C{--logger}, C{twistd -n tpreactor} writes its log through
L{tpreactor.logs.console.ConsoleObserver} (the same lines for a fraction of
the cost), to wherever twistd's own observer would have written them.

twistd asks the application for an C{ILogObserver} component before making
its own (C{twisted.application.app.AppLogger.start}); the plugin's
C{makeService} never sees the application, so the server sets the
component when twistd makes it its parent (L{observeApplication}).

What twistd's own observer does is kept (C{twisted.scripts._twistd_unix.
UnixAppLogger._getLogObserver}): C{--logfile FILE} (and C{twistd.log} for a
daemon) is a C{LogFile} that rotates by size and on C{SIGUSR1};
C{--logfile -} and C{-n} without it are standard output. C{--logger},
C{--syslog}, C{--debug}, a daemon asked to log to standard output, and
other platforms are left to twistd.
"""

import signal
import sys

from twisted.logger import ILogObserver, textFileLogObserver
from twisted.python.components import Componentized
from twisted.python.logfile import LogFile
from twisted.python.runtime import platformType

from .console import ConsoleObserver

#: The file a daemon logs to when given no C{--logfile} (twistd's default).
DAEMON_LOGFILE = "twistd.log"


def observerFor(twistdOptions, reactor, stdout=None, signals=signal):
    """
    The observer twistd would make for C{twistdOptions} (its
    C{ServerOptions}), as a L{ConsoleObserver}; C{None} where twistd's own
    must decide.

    @param stdout: the standard output to write to (C{sys.stdout} now: a
        terminal's L{tpreactor.terminal.screen.ServerScreen} when there is one).
    @param signals: the C{signal} module (a log file rotates on C{SIGUSR1}).
    """
    if twistdOptions is None or platformType != "posix":
        return None
    get = twistdOptions.get
    if get("logger") or get("syslog") or get("debug"):
        return None
    name = get("logfile") or ""
    daemon = not get("nodaemon")
    if name == "-" and daemon:
        return None  # twistd refuses: "Daemons cannot log to stdout, exiting!"
    console = name == "-" or not (name or daemon)
    if console:
        out = sys.stdout if stdout is None else stdout
    else:
        out = LogFile.fromFullPath(name or DAEMON_LOGFILE)
        rotateOnSignal(out, reactor, signals)
    return ConsoleObserver(out, reactor.callLater, lambda: reactor.running, console=console)


def rotateOnSignal(logFile, reactor, signals=signal):
    """
    Rotate C{logFile} on C{SIGUSR1}, as twistd does, unless something
    already handles that signal.
    """
    if not signals.getsignal(signals.SIGUSR1):

        def rotate(signum, frame):
            reactor.callFromThread(logFile.rotate)

        signals.signal(signals.SIGUSR1, rotate)


def observeApplication(application, makeObserver):
    """
    Give C{application} (twistd's C{Componentized} application) the observer
    C{makeObserver()} makes, unless it has one or C{makeObserver} gives
    C{None}.
    """
    if not isinstance(application, Componentized) or application.getComponent(ILogObserver) is not None:
        return
    observer = makeObserver()
    if observer is not None:
        application.setComponent(ILogObserver, observer)


class ObservesApplication:
    """
    A mixin for the service twistd runs: when twistd makes its application
    the service's parent, the application gets the observer
    C{makeLogObserver()} makes (see L{observeApplication}).

    @ivar makeLogObserver: makes that observer, or C{None} for twistd's own.
    """

    makeLogObserver = None

    def setServiceParent(self, parent):
        if self.makeLogObserver is not None:
            observeApplication(parent, self.makeLogObserver)
        super().setServiceParent(parent)


def twistdObserver():
    """
    twistd's own text observer on standard output, what C{twistd -n
    tpreactor} wrote with before tpreactor's became its default: for
    C{twistd --logger=tpreactor.logs.twistd.twistdObserver}, to compare.
    """
    return textFileLogObserver(sys.stdout)
