# -*- test-case-name: tests.test_workers_child -*-
"""
A worker process: C{python -m tpreactor.workers.child CONFIG} (started by the
main process, never by hand). It is a whole tpreactor server of the mode
the operator chose, on the listening sockets the main process opened, with
no terminal of its own: the main process tells it over AMP what the
operator asks, and it exits with its server's exit status.
"""

import json
import os
import signal
import socket
import sys
from dataclasses import asdict

from twisted.application.service import IService
from twisted.internet import defer
from twisted.internet.protocol import Factory
from twisted.logger import globalLogBeginner

from ..clock import SystemClock
from ..factory import Settings
from ..modes import modeNamed
from ..service import TimeServer
from .admission import ClaimsOfMain, admittedByMain
from .control import WorkerControl
from .logs import WorkerLines, WorkerObserver
from .ports import ACCEPTS_PER_WAKE, AdoptedPort
from .turns import Turns, attach

#: The descriptor of the AMP connection to the main process.
CONTROL_FD = 3
#: The first listening socket's descriptor; the others follow.
FIRST_LISTENING_FD = 4
#: What the terminal and service managers send the whole process group: the
#: main process's to answer. A worker is born with them blocked, and ignores them.
OPERATOR_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def describe(number, mode, settings, listeners, gated, lines=False, status=False, turns=0):
    """
    The C{CONFIG} argument of a worker: its number, the mode, the settings,
    the listening sockets (description and address family, on descriptors
    L{FIRST_LISTENING_FD} onwards) and whether the main process admits the
    clients (see L{tpreactor.workers.admission}), and in which form it
    writes its console lines (see L{tpreactor.workers.logs}), and whether it
    records its status for the main process's C{--status}, and how many
    workers take bursts in turns with it (0: none; else the memory of their
    counts follows the listening sockets: see L{tpreactor.workers.turns}).
    """
    return json.dumps({
        "number": number,
        "mode": mode,
        "settings": asdict(settings),
        "listeners": [{"description": d, "family": int(f)} for d, f in listeners],
        "gated": gated,
        "lines": lines,
        "status": status,
        "turns": turns,
    })


class Worker:
    """
    One worker's server and its AMP connection to the main process.

    @ivar server: its L{TimeServer}.
    @ivar control: its L{WorkerControl}.
    """

    def __init__(self, config, reactor, clock=None, flushLog=lambda: None):
        self.reactor = reactor
        self.number = config["number"]
        mode = modeNamed(config["mode"])
        given = config["settings"]
        settings = Settings(**dict(given, trustedProxies=tuple(given["trustedProxies"])))
        executor = mode.makeExecutor(settings, reactor)
        factoryClass = admittedByMain(mode.factoryClass) if config["gated"] else mode.factoryClass
        factory = factoryClass(settings, reactor, clock or SystemClock(), executor)
        # A few connections per wake-up, and a burst taken in turns.
        factory.accepting.perWake = ACCEPTS_PER_WAKE
        workers = config.get("turns")
        if workers:
            counts = attach(FIRST_LISTENING_FD + len(config["listeners"]), workers)
            factory.accepting.turns = Turns(counts, self.number, workers, reactor, factory.accepting)
        pool = executor if IService.providedBy(executor) else None
        listeners = [
            AdoptedPort(spec["description"], FIRST_LISTENING_FD + i, spec["family"], factory, reactor)
            for i, spec in enumerate(config["listeners"])
        ]
        self.server = TimeServer(factory, pool, listeners, reactor, mode.name)
        if config.get("status"):
            self.server.startRecording()
        self.control = WorkerControl(self.server, self.stop, reactor, flushLog)
        if config["gated"]:
            factory.gate = self.control
        # The clients PROXY headers claim are the whole server's.
        factory.proxyClaims = ClaimsOfMain(self.control)
        self._stopping = False

    def start(self, controlFd=CONTROL_FD):
        self.reactor.adoptStreamConnection(controlFd, socket.AF_UNIX, Factory.forProtocol(lambda: self.control))
        os.close(controlFd)
        self.warmUp()
        self.server.privilegedStartService()
        self.server.startService()
        self.control.ready()

    def warmUp(self):
        """
        What a worker's first client would otherwise pay for, done before it
        accepts: the date of the welcome (Babel reads its locale data then,
        some 15 ms). A cold worker that takes the first connections of a
        burst is busy that long, and the other takes the rest.
        """
        factory = self.server.factory
        factory.datedLines.at(factory.clock.now())
        self.reactor.addSystemEventTrigger("before", "shutdown", self._end)

    def _end(self):
        """
        The server's stop, then the goodbye with what it counted.
        """
        d = defer.maybeDeferred(self.server.stopService)
        return d.addBoth(lambda result: self.control.goodbye().addCallback(lambda _: result))

    def stop(self):
        """
        The graceful stop: the reactor stops, and the server with it.
        """
        if not self._stopping:
            self._stopping = True
            if self.reactor.running:
                self.reactor.stop()
            else:
                self.reactor.callWhenRunning(self.reactor.stop)


def writeAll(data, fd=1):
    """
    Write C{data} to the pipe to the main process, all of it.
    """
    while data:
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:
            continue
        except OSError:
            return


def main(argv=None):
    argv = sys.argv if argv is None else argv
    config = json.loads(argv[1])
    # The terminal's Ctrl+C and hang-up reach the whole process group, and a
    # service manager's SIGTERM often does: the main process answers them
    # and tells the workers what to do.
    for signum in OPERATOR_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, OPERATOR_SIGNALS)
    from twisted.internet import reactor

    form = WorkerLines if config.get("lines") else WorkerObserver
    observer = form(config["number"], writeAll, reactor.callLater, lambda: reactor.running)
    globalLogBeginner.beginLoggingTo([observer], discardBuffer=True, redirectStandardIO=False)
    worker = Worker(config, reactor, flushLog=observer.flush)
    worker.start()
    reactor.run(installSignalHandlers=False)
    observer.flush()
    return worker.server.exitStatus


if __name__ == "__main__":
    sys.exit(main())
