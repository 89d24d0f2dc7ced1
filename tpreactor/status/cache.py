# -*- test-case-name: tests.test_status_cache -*-
"""
One snapshot of the server per short interval, shared by every request in
it: building one costs the line service time in proportion to its clients
(and, with C{--workers}, a round trip to every worker), so a flood of
status requests costs it no more than one reader polling every
L{SNAPSHOT_SECONDS}. Each body (JSON, Prometheus text) is made once per
snapshot too.
"""

from twisted.internet import defer

SECONDS = 1.0
#: How long a snapshot is served before a new one is made.
SNAPSHOT_SECONDS = 0.5 * SECONDS


class Shown:
    """
    One snapshot and its bodies, each made the first time it is asked for.

    @ivar state: the snapshot (a L{tpreactor.model.ServerState}).
    """

    def __init__(self, state, render):
        self.state = state
        self._render = render
        self._bodies = {}

    def body(self, kind):
        """
        The body of C{kind} (a key of the renderers) for this snapshot.
        """
        body = self._bodies.get(kind)
        if body is None:
            body = self._bodies[kind] = self._render[kind](self.state)
        return body


class SnapshotCache:
    """
    C{read()} (a snapshot, or a Deferred of one) at most once per
    C{seconds} of C{now()}; readers meanwhile share it, and readers that
    come while one is being gathered wait for that one.

    @ivar render: C{{kind: function of a snapshot to bytes}}.
    """

    def __init__(self, read, now, render, seconds=SNAPSHOT_SECONDS):
        self.read = read
        self.now = now
        self.render = render
        self.seconds = seconds
        self._shown = None
        self._until = None
        self._waiting = None

    def get(self):
        """
        The current L{Shown}, at once or as a Deferred.
        """
        if self._shown is not None and self.now() < self._until:
            return self._shown
        if self._waiting is not None:
            d = defer.Deferred()
            self._waiting.append(d)
            return d
        state = self.read()
        if not isinstance(state, defer.Deferred):
            return self._keep(state)
        self._waiting = []
        d = defer.Deferred()
        self._waiting.append(d)
        state.addCallbacks(self._gathered, self._failed)
        return d

    def _keep(self, state):
        self._shown = Shown(state, self.render)
        self._until = self.now() + self.seconds
        return self._shown

    def _gathered(self, state):
        waiting, self._waiting = self._waiting, None
        shown = self._keep(state)
        for d in waiting:
            d.callback(shown)

    def _failed(self, failure):
        waiting, self._waiting = self._waiting, None
        for d in waiting:
            d.errback(failure)
