# -*- test-case-name: tests.test_work -*-
"""
Handing messages to a pool in batches (L{BatchingExecutor}), and what the
work of a batch comes back as (L{runWork}).
"""

import math
from collections import deque

from twisted.application.service import Service
from twisted.internet import defer
from twisted.logger import Logger
from zope.interface import implementer

from .interfaces import IExecutor

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: A chunk goes to the pool in parts of about this much work, a Deferred
#: each, so a batch of slow messages does not hold back the replies already
#: done. (A part is one hop to the pool and one back; 4 ms parts measured
#: no faster, see docs/benchmarks.md.)
PART_SECONDS = 0.002 * SECONDS
#: Aim for batches of about this much work per connection and round.
BATCH_SECONDS = 0.005 * SECONDS
MAX_BATCH = 64
#: A chunk handed to one thread carries at least this much work: a thread
#: hop costs about 0.1 ms of server CPU, so shorter work goes several
#: messages to a hop.
CHUNK_SECONDS = 0.001 * SECONDS


def describeFailure(exc):
    """
    One line for the log: the exception's type and message.
    """
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def runWork(work, texts):
    """
    Run C{work} for each text; the outcome of each is C{None} or a failure's
    description (a failure never escapes: the client gets an error line).
    """
    outcomes = []
    for text in texts:
        try:
            work(text)
        except Exception as exc:
            outcomes.append(describeFailure(exc))
        else:
            outcomes.append(None)
    return outcomes


def runBatches(work, batches):
    """
    In a worker: the outcomes of each batch of texts (see L{runWork}).
    """
    return [runWork(work, texts) for texts in batches]


@implementer(IExecutor)
class BatchingExecutor(Service):
    """
    Hands messages to a pool in batches, a round per reactor iteration.

    A connection with messages waiting registers with L{ready} and has at
    most one batch in flight, so its replies stay in order. Each round takes
    the ready connections, a batch from each, and splits them over the free
    slots of the pool in chunks; at most C{slots} chunks are in flight, so
    messages wait in their connection, not in an unbounded queue of the
    pool.

    A chunk goes to the pool in parts of about L{PART_SECONDS} of work, a
    Deferred each and one after the other, so each reply leaves when its
    own part is done, not when the whole chunk is, and a chunk holds one
    worker at a time.

    Subclasses implement L{_run} for their kind of pool.
    """

    inline = False
    trivial = False

    #: What the slots are (C{"threads"}, C{"processes"}), for L{load}.
    kind = None

    def __init__(self, reactor, work, slots):
        self.reactor = reactor
        self.work = work
        self.slots = slots
        seconds = getattr(work, "seconds", 0) or 0
        self.seconds = seconds
        self.batchSize = max(1, min(MAX_BATCH, int(BATCH_SECONDS / seconds))) if seconds else MAX_BATCH
        # Work of unknown length is assumed long: one message per hop.
        self.chunkSize = max(1, int(CHUNK_SECONDS / seconds)) if seconds else 1
        self._ready = deque()
        self._inFlight = 0
        self._roundCall = None

    def runInline(self, text):
        """
        Run one message's work in the calling thread (sessions do not: this
        executor is not C{inline}).
        """
        return runWork(self.work, (text,))[0]

    def ready(self, protocol):
        self._ready.append(protocol)
        if self._roundCall is None and self._inFlight < self.slots:
            if self.batchSize == 1:
                # Long work: waiting for the end of the reactor iteration to
                # batch gains nothing next to it; start the message now.
                self._round()
            else:
                self._roundCall = self.reactor.callLater(0, self._round)

    def abandon(self):
        """
        The work still running will not be waited for; see the subclasses.
        """

    def _round(self):
        self._roundCall = None
        ready = self._ready
        # Spread over the free slots, but never more than an even share of
        # all of them: a slot that frees up while the others are busy must
        # not take every connection waiting (and keep them in one queue).
        share = max(self.chunkSize, math.ceil(len(ready) / self.slots))
        while ready and self._inFlight < self.slots:
            size = min(share, max(self.chunkSize, math.ceil(len(ready) / (self.slots - self._inFlight))))
            chunk = []
            while ready and len(chunk) < size:
                protocol = ready.popleft()
                texts = protocol.takeBatch(self.batchSize)
                if texts:
                    chunk.append((protocol, texts))
            if chunk:
                self._inFlight += 1
                self._submit(chunk)

    def _submit(self, chunk):
        """
        Run C{chunk}, pairs of a protocol and its batch, one part after the
        other (a chunk holds one slot of the pool, as a thread would); its
        slot is free again when the last part is answered.
        """
        done = defer.succeed(None)
        for part in self._parts(chunk):
            done.addCallback(lambda _, part=part: self._runPart(part))
        done.addCallback(lambda _: self._chunkDone())

    def _parts(self, chunk):
        """
        Split C{chunk} into runs of connections of about L{PART_SECONDS} of
        work each (a connection each when the work's length is unknown).
        """
        part, budget = [], 0.0
        for protocol, texts in chunk:
            part.append((protocol, texts))
            budget += len(texts) * self.seconds
            if not self.seconds or budget >= PART_SECONDS:
                yield part
                part, budget = [], 0.0
        if part:
            yield part

    def _runPart(self, part):
        # A connection that ended meanwhile (cut, reset) needs no work done.
        part = [(protocol, texts) for protocol, texts in part if not protocol.finished]
        if not part:
            return None
        d = defer.maybeDeferred(self._run, [texts for _, texts in part])

        def failed(failure):  # nothing came back: every message of the part failed
            cause = describeFailure(failure.value)
            return [[cause] * len(texts) for _, texts in part]

        d.addErrback(failed)
        d.addCallback(lambda results: self._deliver(zip((protocol for protocol, _ in part), results)))
        d.addErrback(lambda failure: log.failure("Delivering the replies of a batch", failure))
        return d

    def _run(self, batches):
        """
        Run the work for C{batches}, lists of texts, in the pool.

        @return: a Deferred that fires in the reactor thread with a list of
            outcomes for each batch (see L{runWork}).
        """
        raise NotImplementedError()

    def _deliver(self, results):
        """
        In the reactor thread: replies for C{results}, pairs of a protocol
        and its outcomes.
        """
        for protocol, outcomes in results:
            protocol.batchDone(outcomes)

    def _chunkDone(self):
        self._inFlight -= 1
        if self._ready and self._roundCall is None:
            self._round()

    @property
    def idle(self):
        return self._inFlight == 0 and not self._ready

    def load(self):
        return {"kind": self.kind, "size": self.slots, "busy": self._inFlight, "queued": len(self._ready)}
