# -*- test-case-name: tests.test_workers_supervisor -*-
"""
Hearing from the workers: the main process asks each one every second
whether it is there (and what it counted); one that stays silent too long
is killed, to be replaced; the server serves while any of them answers.
"""

import json

from twisted.internet import task
from twisted.logger import Logger

from ..messages import counted
from .commands import Heartbeat

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: How often the main process asks each worker whether it is there.
HEARTBEAT_SECONDS = 1.0 * SECONDS
#: How long a worker may go without answering before it is killed and
#: replaced (C{--worker-timeout}; gunicorn's C{--timeout} is 30, ours 10).
DEFAULT_TIMEOUT_SECONDS = 10.0 * SECONDS
#: A worker that never answered yet is still starting (its interpreter, its
#: imports, on a machine perhaps busy): it has this long, or the timeout if
#: that is longer.
STARTING_SECONDS = 30.0 * SECONDS
#: A worker whose last answer is older than this does not serve, as far as
#: the health check can tell: two heartbeats missed, and a half.
SILENT_SECONDS = 2.5 * HEARTBEAT_SECONDS
#: Why the main process kills a worker that stopped answering.
SILENT = "silent"


class Liveness:
    """
    The heartbeat of a L{tpreactor.workers.supervisor.Supervisor}'s workers.

    @ivar supervisor: whose C{workers}, C{tally}, C{catalogue}, C{kill} and
        C{replacing} it uses (read each time: tests and the server change them).
    @ivar timeout: how long a worker may go without answering before it is
        killed (0: never).
    """

    def __init__(self, supervisor, reactor, timeout=DEFAULT_TIMEOUT_SECONDS):
        self.supervisor = supervisor
        self.reactor = reactor
        self.timeout = timeout
        self._loop = task.LoopingCall(self.beat)
        self._loop.clock = reactor

    def start(self):
        if not self._loop.running:
            self._loop.start(HEARTBEAT_SECONDS, now=False)

    def stop(self):
        if self._loop.running:
            self._loop.stop()

    def beat(self):
        """
        Ask every worker whether it is there (unless the last question is
        still open), and kill the ones silent too long.
        """
        now = self.reactor.seconds()
        for worker in list(self.supervisor.workers.values()):
            if not worker.asking:
                worker.asking = True
                d = worker.callRemote(Heartbeat)
                d.addCallbacks(self._heard, self._notHeard, (worker,), None, (worker,))
            self._checkSilence(worker, now)

    def _heard(self, answer, worker):
        worker.asking = False
        worker.heard = self.reactor.seconds()
        worker.clients = answer["clients"]
        self.supervisor.tally.saw(worker, json.loads(answer["counters"]))

    def _notHeard(self, failure, worker):
        worker.asking = False  # gone: processEnded says so

    def _checkSilence(self, worker, now):
        if not self.timeout or worker.killed is not None or worker.pid is None:
            return
        bound = self.timeout if worker.heard is not None else max(self.timeout, STARTING_SECONDS)
        silence = worker.silence(now)
        if silence < bound:
            return
        supervisor = self.supervisor
        t = supervisor.catalogue
        log.warn(t.workerSilent, worker=worker.number, pid=worker.pid, seconds=round(silence),
                 clients=counted(t, t.clientsCount, worker.clients),
                 then=t.startingAnother if supervisor.replacing else "")
        worker.killed = SILENT
        supervisor.kill(worker.pid)

    def serving(self):
        """
        Whether any worker accepts and answers: the server serves.
        """
        now = self.reactor.seconds()
        return any(w.ready and w.killed is None and w.heard is not None and now - w.heard <= SILENT_SECONDS
                   for w in self.supervisor.workers.values())
