# -*- test-case-name: tests.test_workers_commands -*-
"""
The worker's side of the AMP connection: what it answers the main process
(that it is there, stop, hurry, close the listeners, its state, kick a
client), all read off or done through its server's model
(L{tpreactor.model.IServerModel}), and what it tells it (how many clients
it has, now and then; what it counted, as it ends).
"""

import json
import os

from twisted.internet import defer, task

from .commands import CloseListeners, Goodbye, Heartbeat, Hurry, Kick, Load, QuietAMP, Ready, State, Stop, WhenEmpty
from .counters import countersOf

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
    @ivar flushLog: writes out the worker's console lines held so far.
    """

    def __init__(self, server, stop, reactor, flushLog=lambda: None):
        QuietAMP.__init__(self)
        self.server = server
        # Not "factory": the AMP connection's factory sets that.
        self.serverFactory = server.factory
        self._stop = stop
        self.flushLog = flushLog
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
        recorder = self.serverFactory.status
        return json.dumps(None if recorder is None else countersOf(recorder))

    def goodbye(self):
        """
        Tell the main process what this worker counted, as it ends: a
        Deferred that fires once the main process has it, or after
        L{GOODBYE_SECONDS} (or at once, with nothing to say or nobody to
        say it to).
        """
        if self.serverFactory.status is None or self.transport is None:
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
        d = self.server.stopAccepting()
        return d.addCallback(lambda counts: dict(zip(("waiting", "backlog", "served"), counts)))

    @WhenEmpty.responder
    def whenEmpty(self):
        def empty(_):
            # The last client's line before the answer: the main process
            # says "none left" once it has the answer.
            self.flushLog()
            return {}

        return self.server.whenEmpty().addCallback(empty)

    @State.responder
    def answerState(self):
        d = self.server.state()
        return d.addCallback(lambda state: {"state": json.dumps(state.asData(), ensure_ascii=False)})

    @Kick.responder
    def kick(self, peer):
        d = self.server.disconnect(peer)
        return d.addCallback(lambda done: {"peer": done.told[0][0] if done.told else ""})
