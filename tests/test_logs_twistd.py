"""
Tests for L{tpreactor.logs.twistd}: with no C{--logger}, twistd writes the
console lines through tpreactor's observer, to where its own would have.
"""

import io
import os
import signal

from twisted.application.service import Application
from twisted.internet.task import Clock
from twisted.logger import ILogObserver, LogLevel
from twisted.python.logfile import LogFile
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.logs.console import ConsoleObserver
from tpreactor.logs.twistd import DAEMON_LOGFILE, observeApplication, observerFor, rotateOnSignal

from .support import temporaryFolder


class FakeReactor(Clock):
    """
    A clock that says whether it runs and takes calls from other threads.
    """

    running = False

    def __init__(self):
        Clock.__init__(self)
        self.fromThread = []

    def callFromThread(self, f, *args):
        self.fromThread.append((f, args))


class FakeSignals:
    """
    The C{signal} module's handlers, in a dict.
    """

    SIGUSR1 = signal.SIGUSR1

    def __init__(self, handlers=None):
        self.handlers = dict(handlers or {})

    def getsignal(self, signum):
        return self.handlers.get(signum, signal.SIG_DFL)

    def signal(self, signum, handler):
        self.handlers[signum] = handler


def options(**given):
    """
    twistd's options as C{ServerOptions} holds them, with C{given} changed.
    """
    base = {"logger": None, "syslog": False, "debug": False, "logfile": None, "nodaemon": False, "prefix": "twisted"}
    base.update(given)
    return base


class ObserverForTests(SynchronousTestCase):
    def setUp(self):
        self.reactor = FakeReactor()
        self.signals = FakeSignals()
        self.stdout = io.StringIO()

    def observer(self, **given):
        return observerFor(options(**given), self.reactor, stdout=self.stdout, signals=self.signals)

    def test_foregroundWritesToStandardOutput(self):
        """
        C{twistd -n} with no C{--logfile}, or with C{--logfile -}: standard
        output, through a L{ConsoleObserver}.
        """
        for given in ({"nodaemon": True}, {"nodaemon": True, "logfile": "-"}):
            observer = self.observer(**given)
            self.assertIsInstance(observer, ConsoleObserver)
            observer(dict(log_format="hola {x}", x=1, log_level=LogLevel.info, log_namespace="t", log_time=0.0))
            self.assertTrue(self.stdout.getvalue().endswith(" [t#info] hola 1\n"))
            self.stdout.truncate(0)
        self.assertEqual(self.signals.handlers, {})

    def test_logFile(self):
        """
        C{--logfile FILE}: a L{LogFile} there, rotated on C{SIGUSR1} (in the
        reactor thread, as twistd does).
        """
        path = os.path.join(temporaryFolder(self), "server.log")
        observer = self.observer(nodaemon=True, logfile=path)
        observer(dict(log_format="uno", log_level=LogLevel.info, log_namespace="t", log_time=0.0))
        self.assertIsInstance(observer._outFile, LogFile)
        with open(path) as f:
            self.assertTrue(f.read().endswith(" [t#info] uno\n"))
        self.signals.handlers[signal.SIGUSR1](signal.SIGUSR1, None)
        [(rotate, args)] = self.reactor.fromThread
        self.assertEqual(rotate, observer._outFile.rotate)
        rotate(*args)
        self.assertTrue(os.path.exists(path + ".1"))
        observer._outFile.close()

    def test_daemonWithoutLogFile(self):
        """
        A daemon given no C{--logfile} logs to C{twistd.log} in its directory.
        """
        folder = temporaryFolder(self)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(folder)
        observer = self.observer()
        self.assertEqual(observer._outFile.path, os.path.join(folder, DAEMON_LOGFILE))
        observer._outFile.close()

    def test_leftToTwistd(self):
        """
        C{--logger}, C{--syslog}, C{--debug} and a daemon asked to log to
        standard output (twistd refuses it) are twistd's own business.
        """
        for given in ({"logger": object()}, {"syslog": True}, {"debug": True, "nodaemon": True}, {"logfile": "-"}):
            self.assertIsNone(self.observer(**given), given)
        self.assertIsNone(observerFor(None, self.reactor))
        self.assertEqual(self.signals.handlers, {})

    def test_sigusr1AlreadyHandled(self):
        """
        A C{SIGUSR1} handler already in place is kept, as twistd keeps it.
        """
        mine = lambda *args: None  # noqa: E731
        signals = FakeSignals({signal.SIGUSR1: mine})
        path = os.path.join(temporaryFolder(self), "server.log")
        logFile = LogFile.fromFullPath(path)
        self.addCleanup(logFile.close)
        rotateOnSignal(logFile, self.reactor, signals)
        self.assertIs(signals.handlers[signal.SIGUSR1], mine)


class ObserveApplicationTests(SynchronousTestCase):
    def test_setsTheComponent(self):
        """
        twistd's application gets the observer as its C{ILogObserver}.
        """
        application = Application("tpreactor")
        marker = ConsoleObserver(io.StringIO())
        observeApplication(application, lambda: marker)
        self.assertIs(application.getComponent(ILogObserver), marker)

    def test_keepsOneAlreadySet(self):
        """
        An application that has an observer keeps it, and none is made.
        """
        application = Application("tpreactor")
        theirs = ConsoleObserver(io.StringIO())
        application.setComponent(ILogObserver, theirs)
        observeApplication(application, lambda: self.fail("made"))
        self.assertIs(application.getComponent(ILogObserver), theirs)

    def test_noObserver(self):
        """
        When twistd's own observer must decide, the application gets none.
        """
        application = Application("tpreactor")
        observeApplication(application, lambda: None)
        self.assertIsNone(application.getComponent(ILogObserver))


class TwistdRunnerTests(SynchronousTestCase):
    """
    twistd's own runner, up to the point where it starts logging.
    """

    def application(self, *argv):
        from twisted.scripts._twistd_unix import ServerOptions, UnixApplicationRunner

        config = ServerOptions()
        config.parseOptions(["--pidfile=", *argv, "tpreactor", "--port", "0"])
        runner = UnixApplicationRunner(config)
        runner.preApplication()
        return runner.createOrGetApplication()

    def test_defaultCommand(self):
        """
        C{twistd -n tpreactor}: the application's observer is tpreactor's.
        """
        observer = self.application("-n").getComponent(ILogObserver)
        self.assertIsInstance(observer, ConsoleObserver)

    def test_loggerGiven(self):
        """
        C{twistd --logger=...}: the application has no observer, so twistd
        uses the one asked for.
        """
        application = self.application("-n", "--logger=tpreactor.logs.console.observer")
        self.assertIsNone(application.getComponent(ILogObserver))
