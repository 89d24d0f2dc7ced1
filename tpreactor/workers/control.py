# -*- test-case-name: tests.test_workers_commands -*-
"""
The worker's side of the AMP connection: what it answers the main process
(that it is there, stop, hurry, close the listeners, list and kick its
clients, its status snapshot) and what it tells it (how many clients it
has, now and then; what it counted, as it ends).
"""

import json
import os

from twisted.internet import defer, task

from ..console import Console, findPeer
from ..protocol import OPERATOR
from .commands import (
    CloseListeners, Goodbye, Heartbeat, Hurry, Kick, ListClients, Load, QuietAMP, Ready, Snapshot, Stop, WhenEmpty,
)

SECONDS = 1.0
#: How often a worker tells the main process how many clients it has (only
#: when that changed): what a worker that dies is said to have had.
LOAD_SECONDS = 0.25 * SECONDS
#: How long a worker that ends waits for the main process to take its goodbye.
GOODBYE_SECONDS = 1.0 * SECONDS


class WorkerControl(QuietAMP):
    """
    The main process's hold on one worker.

    @ivar server: the worker's L{tpreactor.service.TimeServer}.
    @ivar stop: called to stop the worker gracefully (stops its reactor).
    @ivar snapshot: gives the worker's status snapshot (a dict), or is
        C{None} when it records none (no C{--status}).
    @ivar counters: gives the worker's counters (see
        L{tpreactor.workers.counters}), or is C{None} when it records none.
    """

    def __init__(self, server, stop, reactor, snapshot=None, counters=None):
        QuietAMP.__init__(self)
        self.server = server
        # Not "factory": the AMP connection's factory sets that.
        self.serverFactory = server.factory
        self._stop = stop
        self.snapshot = snapshot
        self.counters = counters
        self.reactor = reactor
        self._reported = 0
        self._loadCall = task.LoopingCall(self.reportLoad)
        self._loadCall.clock = reactor

    def connectionMade(self):
        QuietAMP.connectionMade(self)
        self._loadCall.start(LOAD_SECONDS, now=False)

    def connectionLost(self, reason):
        QuietAMP.connectionLost(self, reason)
        if self._loadCall.running:
            self._loadCall.stop()
        # The main process is gone: stop gracefully, nobody will say so.
        self._stop()

    def ready(self, pid=None):
        """
        Tell the main process this worker accepts on every listening socket.
        """
        self.callRemote(Ready, pid=os.getpid() if pid is None else pid)

    def reportLoad(self):
        """
        Tell the main process how many clients there are, if that changed.
        """
        clients = len(self.serverFactory.connections)
        if clients != self._reported:
            self._reported = clients
            self.callRemote(Load, clients=clients)

    def _counted(self):
        return json.dumps(None if self.counters is None else self.counters())

    def goodbye(self):
        """
        Tell the main process what this worker counted, as it ends: a
        Deferred that fires once the main process has it, or after
        L{GOODBYE_SECONDS} (or at once, with nothing to say or nobody to
        say it to).
        """
        if self.counters is None or self.transport is None:
            return defer.succeed(None)
        d = defer.maybeDeferred(self.callRemote, Goodbye, counters=self._counted())
        return d.addTimeout(GOODBYE_SECONDS, self.reactor).addCallbacks(lambda _: None, lambda _: None)

    @Heartbeat.responder
    def heartbeat(self):
        return {"clients": len(self.serverFactory.connections), "counters": self._counted()}

    @Stop.responder
    def stopGracefully(self):
        self.server.reactor.callLater(0, self._stop)
        return {}

    @Hurry.responder
    def hurry(self):
        return {"hurried": bool(self.server.hurry())}

    @CloseListeners.responder
    def closeListeners(self):
        d = self.server.closeListeners()

        def closed(counts):
            waiting, backlog = counts
            served = [p for p in self.serverFactory.connections if not p.finished]
            return {"waiting": waiting, "backlog": backlog, "served": len(served)}

        return d.addCallback(closed)

    @WhenEmpty.responder
    def whenEmpty(self):
        return self.serverFactory.whenEmpty().addCallback(lambda _: {})

    @ListClients.responder
    def listClients(self):
        said = []
        console = Console(self.serverFactory)
        console.say = said.append
        console.listClients()
        lines = "\n".join(said).split("\n")[1:]
        waiting = set(self.serverFactory.waiting)
        served = len([p for p in self.serverFactory.connections if p not in waiting])
        return {"served": served, "lines": lines}

    @Kick.responder
    def kick(self, peer):
        protocol = findPeer(self.serverFactory, peer)
        if protocol is None:
            return {"peer": ""}
        protocol.closeByServer(OPERATOR)
        return {"peer": protocol.peer.joined}

    @Snapshot.responder
    def answerSnapshot(self):
        state = None if self.snapshot is None else self.snapshot()
        return {"snapshot": json.dumps(state, ensure_ascii=False)}
