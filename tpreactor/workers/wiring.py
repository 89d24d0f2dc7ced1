# -*- test-case-name: tests.test_workers_server -*-
"""
The service twistd runs for C{--workers N} (N above 1): the main process's
L{WorkersServer}, its listening services, the L{Supervisor} of the workers,
the L{Gate} when the limits are the whole server's, the operator, and with
C{--status} the status endpoint of the whole server.
"""

import sys
from dataclasses import replace

from ..clock import SystemClock
from ..logs.twistd import observerFor
from ..endpoints import parseEndpoint
from ..terminal.screen import inFrontOfStdout
from ..terminal.tty import Terminal
from ..listening import ListeningService
from ..terminal.operator import Operator
from ..openfiles import defaultMaxConnections
from ..status import addStatus
from . import child
from .admission import Gate
from .logs import linesWanted
from .server import SharedPorts, WorkersServer
from .supervisor import Supervisor


def limitsFor(settings, maxConnectionsGiven):
    """
    The settings each worker runs with, and the L{Gate} of the main process
    (C{None} when there is nothing to count across workers).

    An explicit C{--max-connections} and any C{--max-per-ip} count the whole
    server's clients, so the main process admits each one; otherwise each
    worker keeps its own open-file bound and nobody is asked.
    """
    if not (maxConnectionsGiven or settings.maxPerIp):
        return settings, None
    gate = Gate(settings.maxConnections if maxConnectionsGiven else 0, settings.maxPerIp)
    return replace(settings, maxConnections=defaultMaxConnections(), maxPerIp=0), gate


def makeWorkersService(options, mode, count, reactor, executable=None):
    """
    The main process of C{count} workers of C{mode}, for C{options}.
    """
    settings = options.settings()
    workerSettings, gate = limitsFor(settings, getattr(options, "maxConnectionsGiven", True))
    descriptions = options["endpoints"]

    lines = linesWanted(getattr(options, "parent", None))
    status = getattr(options, "statusConfig", None)

    def describe(number, families, turns=False):
        listening = list(zip(descriptions, families))
        return child.describe(number, mode.name, workerSettings, listening, gate is not None, lines,
                              server.recording, count if turns else 0)

    ports = SharedPorts(settings)
    extra = {"executable": executable} if executable else {}
    # As withOperator does; and taken before twistd's log redirects sys.stdout.
    screen = inFrontOfStdout(Terminal.interactive)
    supervisor = Supervisor(reactor, count, describe, lambda: server.listeningSockets(), ports.catalogue, gate,
                            lines=lines, out=sys.stdout, direct=lines and screen is None,
                            timeout=options["worker-timeout"], **extra)
    listeners = [ListeningService(d, parseEndpoint(reactor, d), ports, mode.name) for d in descriptions]
    server = WorkersServer(ports, listeners, supervisor, reactor, mode.name, mode.holdsClients, SystemClock.monotonic)
    Operator(server, reactor, screen=screen).setServiceParent(server)
    if status is not None:
        addStatus(server, status, parseEndpoint(reactor, status.description))
    # As for one process: with no --logger, tpreactor's console observer.
    twistdOptions = getattr(options, "parent", None)
    server.makeLogObserver = lambda: observerFor(twistdOptions, reactor)
    return server
