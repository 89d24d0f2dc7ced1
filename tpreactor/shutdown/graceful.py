# -*- test-case-name: tests.test_graceful -*-
"""
The graceful stop, in order: the listeners (new clients are refused), then
every connection answers what it already received and gets the closing
line, bounded by the grace period, then the pool, then the rest; an operator
in a hurry cuts it short.
"""

from twisted.internet import defer
from twisted.logger import Logger

from ..messages import plural
from ..protocol import SHUTDOWN
from ..work import describeFailure
from ..listening import kernelBacklog

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: After the grace period the closing line is sent at once; a client that
#: does not read it within this much more time is cut off.
ABORT_AFTER_SECONDS = 1.0 * SECONDS
#: The pool may take what is left of the grace period to stop once every
#: connection is closed, and at least this long; work still running then is
#: abandoned (its clients were cut or are gone).
POOL_STOP_SECONDS = 1.0 * SECONDS


def noneIfEmpty(names):
    """
    A list of peers for a log line: C{-} when there is none.
    """
    return ", ".join(names) if names else "-"


class GracefulStop:
    """
    Stops the server in order, within the grace period (C{settings.grace}).

    @ivar factory: the server's factory: its connections, its settings and
        its catalogue.
    @ivar pool: the service the work runs in, or C{None}.
    @ivar listeners: the L{tpreactor.listening.Listeners}.
    @ivar cut: the peers whose pending replies were dropped, by the grace
        period or by an operator in a hurry (L{hurry}), and the ones aborted
        with replies they never read.
    @ivar hurried: whether L{hurry} closed connections before their time.
    @ivar abandoned: whether work still running in the pool was left behind
        (its clients were cut, which the exit status says, or had gone).
    @ivar stopping: whether the graceful shutdown has begun.
    """

    def __init__(self, factory, pool, listeners, reactor):
        self.factory = factory
        self.pool = pool
        self.listeners = listeners
        self.reactor = reactor
        self.cut = []
        self.hurried = False
        self.abandoned = False
        self.stopping = False
        self._rush = 0
        self._waits = []

    @property
    def exitStatus(self):
        """
        0 after a clean shutdown; 1 if replies were dropped or the shutdown
        was cut short.
        """
        return 1 if (self.cut or self.hurried) else 0

    @defer.inlineCallbacks
    def stop(self, others=()):
        """
        The whole stop: listeners, connections, pool, then C{others} (the
        server's other children, the operator's console) in reverse order.
        """
        self.stopping = True
        began = self.reactor.seconds()
        factory = self.factory
        t = factory.catalogue
        quiet = not self.listeners.listening and not factory.connections
        # Who is there now: the connections (those held for their turn
        # included) and, in serial mode, the clients waiting their turn in
        # the kernel's backlog, which the listeners turn away first.
        present = list(factory.connections)
        backlog = kernelBacklog(factory) if self.listeners.listening else 0
        if not quiet:
            log.info(
                t.shutdownStarted,
                open=len(present) + backlog,
                waiting=len(factory.waiting) + backlog,
                pending=sum(p.pending for p in present),
                grace=f"{factory.settings.grace:g}",
            )
        factory.closing = True
        yield self.listeners.stop()
        if not quiet:
            yield self.closeConnections(present)
            log.info(t.allClosed)
            log.info(t.socketClosed)
        if self.pool is not None:
            yield self.stopPool(began)
        for service in reversed(others):
            yield defer.maybeDeferred(service.stopService)

    @defer.inlineCallbacks
    def closeConnections(self, present=()):
        """
        Every connection answers what it received, gets the closing line and
        is closed; after the grace period (or at once, if the operator is in
        a hurry) the rest get it without their replies, and the ones that do
        not take it within L{ABORT_AFTER_SECONDS} are aborted.

        @param present: the connections when the shutdown began (the ones
            held for their turn may be gone by now, closed by the listeners);
            with the clients the factory turned away since, they are the
            connections the summary counts as closed.
        """
        factory = self.factory
        t = factory.catalogue
        protocols = list(factory.connections)
        before = {p: p.messages for p in protocols}
        for protocol in protocols:
            protocol.closeByServer(SHUTDOWN)
        grace = factory.settings.grace
        if not (yield self._emptyWithin(grace, 0)):
            left = list(factory.connections)
            cut = [p.peer.joined for p in left if p.pending]
            self.cut.extend(cut)
            text = plural(t, t.cutShort if self._rush else t.graceOver, len(left))
            log.warn(text, grace=f"{grace:g}", count=len(left), peers=noneIfEmpty(cut))
            for protocol in left:
                protocol.closeByServer(SHUTDOWN, atOnce=True)
            if not (yield self._emptyWithin(ABORT_AFTER_SECONDS, 1)):
                left = list(factory.connections)
                for protocol in left:
                    protocol.transport.abortConnection()
                # What they were sent and did not read is lost: cut too.
                self.cut.extend(p.peer.joined for p in left if p.peer.joined not in self.cut)
                log.warn(t.aborted, count=len(left))
        answered = sum(p.messages - before[p] for p in protocols)
        closed = len(set(present).union(protocols)) + factory.turnedAway
        log.info(t.shutdownDone, answered=answered, closed=closed, cut=len(self.cut))

    @defer.inlineCallbacks
    def stopPool(self, began):
        """
        Stop the pool within what is left of the grace period that began at
        C{began} (at least L{POOL_STOP_SECONDS}), else abandon its work.
        """
        t = self.factory.catalogue
        log.info(t.poolStopping)
        stopped = defer.maybeDeferred(self.pool.stopService)
        stopped.addErrback(lambda f: log.warn(t.poolStopFailed, cause=describeFailure(f.value)))
        left = max(POOL_STOP_SECONDS, self.factory.settings.grace - (self.reactor.seconds() - began))
        if (yield self._within(stopped, left, 1)):
            log.info(t.poolStopped)
        else:
            self.abandoned = True
            log.warn(t.poolAbandoned, seconds=f"{left:.3g}")
            self.pool.abandon()

    def hurry(self):
        """
        The operator will not wait (a second Ctrl+C or a SIGTERM during the
        shutdown): what waits for the grace period is closed now, and what
        waits for its closing line to be read is aborted.

        @return: whether there was anything to hurry.
        """
        self._rush += 1
        waits, self._waits = self._waits, []
        if waits or (self.stopping and self.factory.connections):
            self.hurried = True
        for settle in waits:
            settle(False)
        return bool(waits)

    def _emptyWithin(self, seconds, phase):
        """
        A Deferred firing C{True} once no connection is left, or C{False}
        after C{seconds} or when L{hurry} is called (at once if it was called
        C{phase} times or more already).
        """
        return self._within(self.factory.whenEmpty(), seconds, phase)

    def _within(self, awaited, seconds, phase):
        """
        A Deferred firing C{True} once C{awaited} fires, or C{False} after
        C{seconds} or when L{hurry} is called (at once if it was called
        C{phase} times or more already).
        """
        if awaited.called:
            return defer.succeed(True)
        if self._rush > phase:
            return defer.succeed(False)
        result = defer.Deferred()

        def settle(value):
            if result.called:
                return
            if timer.active():
                timer.cancel()
            if settle in self._waits:
                self._waits.remove(settle)
            result.callback(value)

        timer = self.reactor.callLater(seconds, settle, False)
        self._waits.append(settle)
        awaited.addBoth(lambda _: settle(True))
        return result
