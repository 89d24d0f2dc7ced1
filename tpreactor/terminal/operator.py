# -*- test-case-name: tests.test_terminal_operator -*-
"""
The operator's control over the server: SIGINT, SIGTERM and SIGHUP, the
Ctrl+C question and its three answers (close the socket only, shut down,
exit now), and the exit status once everything stopped.
"""

import signal

from twisted.application.service import Service
from twisted.logger import Logger

from .console import CLOSE_ALL, CLOSE_SOCKET, EXIT_NOW, Console, TerminalConsole
from .tty import ExitStatus, Terminal

log = Logger(namespace="tpreactor")

#: What the operator has asked for so far.
SERVING, ASKING, DRAINING, STOPPING = "serving", "asking", "draining", "stopping"


class Operator(Service):
    """
    The operator's control over the server: signals, the Ctrl+C question and
    its three answers, and the exit status.

    Started before the reactor runs; the SIGINT and SIGTERM handlers are
    installed once it runs, because Twisted installs its own during startup;
    SIGHUP's before the other services start.

    @ivar server: the server, an L{tpreactor.model.IServerModel} (one
        process's, or the workers' main process's).
    @ivar catalogue: the texts of the server's language.
    @ivar console: the L{Console} when an operator sits at a terminal, else
        C{None}.
    @ivar screen: the L{tpreactor.terminal.screen.ServerScreen} in front of the terminal's
        output, shared by the log and the console, or C{None}.
    @ivar state: L{SERVING}, L{ASKING}, L{DRAINING} (option 1: no new
        clients, the process ends with the last one) or L{STOPPING}.
    """

    name = "operator"

    def __init__(self, server, reactor, terminal=None, exitStatus=None, interactive=None,
                 openConsole=None, signals=signal, endWorkers=None, screen=None):
        self.server = server
        self.reactor = reactor
        self.catalogue = server.catalogue
        self.terminal = terminal or Terminal()
        self.exitStatus = exitStatus or ExitStatus(self.terminal)
        self._interactive = Terminal.interactive if interactive is None else interactive
        self._openConsole = openConsole or self._openTerminalConsole
        self._signals = signals
        self._endWorkers = endWorkers or server.endNow
        self.screen = screen
        self.console = None
        self.state = SERVING
        self._resumeState = SERVING
        self._terminalConsole = None
        self._noneLeft = False

    def privilegedStartService(self):
        Service.privilegedStartService(self)
        # SIGHUP (Twisted leaves it alone) is ours from here on, but blocked
        # while the services start: the processes they start (the pool's
        # workers, multiprocessing's resource tracker) inherit the block, so
        # a shell's SIGHUP to the whole process group does not kill them.
        self._signals.signal(signal.SIGHUP, self._signalled)
        self._holdHangups(True)

    def startService(self):
        Service.startService(self)
        # The server's last child: every other service has started.
        self._holdHangups(False)
        self.reactor.callWhenRunning(self.begin)

    def _holdHangups(self, hold):
        mask = getattr(self._signals, "pthread_sigmask", None)
        if mask is not None:
            mask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, {signal.SIGHUP})

    def stopService(self):
        Service.stopService(self)
        if self._terminalConsole is not None:
            self._terminalConsole.close()

    def begin(self):
        """
        The reactor runs: take over SIGINT and SIGTERM (SIGHUP is already
        ours), open the console.
        """
        self.terminal.save()
        self.exitStatus.register()
        self.reactor.addSystemEventTrigger("after", "shutdown", self.afterShutdown)
        if self._interactive():
            self.console = self._openConsole()
        # SIGINT too when it came ignored (a job started with "&" by a
        # script): without a terminal it still means a graceful shutdown.
        self._signals.signal(signal.SIGINT, self._signalled)
        self._signals.signal(signal.SIGTERM, self._signalled)
        if self.console is not None:
            log.info(self.catalogue.ready)

    def _openTerminalConsole(self):
        console = Console(self.server, screen=self.screen)
        terminalConsole = TerminalConsole(console, self.reactor)
        if not terminalConsole.open():
            return None
        self._terminalConsole = terminalConsole
        return console

    def _signalled(self, signum, frame):
        # In a signal handler: only schedule, except as a last resort when
        # the shutdown was already cut short and still has not ended (the
        # reactor thread may be stuck joining a worker).
        if signum == signal.SIGHUP:
            self.reactor.callFromThread(self.hungUp)
            return
        if self.state == STOPPING:
            self._signalsWhileStopping += 1
            if self._signalsWhileStopping > 2:
                self.exitStatus.now(1)
        if signum == signal.SIGINT:
            self.reactor.callFromThread(self.interrupted)
        else:
            self.reactor.callFromThread(self.terminated)

    _signalsWhileStopping = 0

    @property
    def asking(self):
        return self.console is not None and self.console.asking

    def _canAsk(self):
        return self.console is not None and (
            self._terminalConsole is None or self._terminalConsole.isOpen
        )

    # -- events --------------------------------------------------------------------

    def interrupted(self):
        """
        SIGINT: ask in a terminal; a second one while asking, or one without
        a terminal, is option 2; during the shutdown, cut it short.
        """
        self._noticeStopping()
        if self.state in (SERVING, DRAINING):
            if self._canAsk():
                self._resumeState = self.state
                self.state = ASKING
                self.console.ask(self.answered)
            else:
                log.info(self.catalogue.signalled, signal="SIGINT")
                self.closeAll()
        elif self.state == ASKING:
            self.console.withdraw()
            log.info(self.catalogue.secondInterrupt)
            self.closeAll()
        else:
            self._hurry("SIGINT")

    def terminated(self):
        """
        SIGTERM never asks: option 2, or cut a shutdown short.
        """
        self._noticeStopping()
        if self.state in (SERVING, DRAINING, ASKING):
            self._stopFor("SIGTERM")
        else:
            self._hurry("SIGTERM")

    def hungUp(self):
        """
        SIGHUP (the terminal closed, the ssh session lost) is SIGTERM's
        option 2; but one hang-up often comes as several SIGHUPs (from the
        shell to its jobs, from the kernel to the terminal's foreground
        group), so during the shutdown it goes on as it was, not cut short.
        """
        self._noticeStopping()
        if self.state in (SERVING, DRAINING, ASKING):
            self._stopFor("SIGHUP")
        else:
            log.info(self.catalogue.hangupDuringStop, signal="SIGHUP")

    def _stopFor(self, name):
        if self.asking:
            self.console.withdraw()
        log.info(self.catalogue.signalled, signal=name)
        self.closeAll()

    def _noticeStopping(self):
        # The reactor may have been stopped by someone else.
        if self.server.stopping and self.state != STOPPING:
            if self.asking:
                self.console.withdraw()
            self.state = STOPPING

    def answered(self, answer):
        """
        The operator's answer to the question.
        """
        if self.state != ASKING:
            return
        self.state = self._resumeState
        if answer == CLOSE_SOCKET:
            self.closeSocketOnly()
        elif answer == CLOSE_ALL:
            self.closeAll()
        elif answer == EXIT_NOW:
            self.exitNow()
        else:
            self.console.say(self.catalogue.resumed)
            self._lastLeft()

    # -- the three options ------------------------------------------------------------

    def closeSocketOnly(self):
        """
        Option 1: no new clients; the connected ones are served and the
        process ends when the last one leaves.
        """
        if self.state == DRAINING:
            log.info(self.catalogue.alreadyClosed)
            self._lastLeft()
            return
        self.state = DRAINING
        d = self.server.stopAccepting()
        d.addCallback(self._listenersClosed)

    def _listenersClosed(self, counts):
        closedWaiting, backlog, served = counts
        t = self.catalogue
        log.info(t.socketClosed)
        if self.server.holdsClients:
            log.info(t.waitingClosed, count=closedWaiting)
            if backlog:
                log.info(t.backlogReset, count=backlog)
        if served:
            log.info(t.draining, count=served)
        self.server.whenEmpty().addCallback(self._emptied)

    def _emptied(self, _):
        # No client can come any more: once empty, empty for good.
        self._noneLeft = True
        self._lastLeft()

    def _lastLeft(self, _=None):
        # While the question is open the answer decides (see answered).
        if self.state == DRAINING and self._noneLeft:
            log.info(self.catalogue.lastLeft)
            self._stopReactor()

    def closeAll(self):
        """
        Option 2: the graceful shutdown, through Twisted's own (the reactor
        stops, and stopping the services closes everything in order).
        """
        self.state = STOPPING
        self._stopReactor()

    def exitNow(self):
        """
        Option 3: exit 0 at once, closing nothing, the terminal as found.

        Worker processes would outlive us (a process pool's workers hold
        their own queue open), so they are told to end first: by the pool's
        C{abandon()} if there is a pool, else with a SIGTERM to each process
        this one started.
        """
        log.info(self.catalogue.exitingNow)
        self._endWorkers()
        self.exitStatus.now(0)

    def _hurry(self, name):
        log.warn(self.catalogue.signalledDuringStop, signal=name)
        self.server.hurry()

    def _stopReactor(self):
        self.state = STOPPING
        if not self.server.stopping and self.reactor.running:
            self.reactor.stop()

    def afterShutdown(self):
        """
        Everything stopped: record the exit status, give the terminal back.
        """
        code = self.server.exitStatus
        self.exitStatus.code = code
        log.info(self.catalogue.exitStatus, code=code)
        self.terminal.restore()

