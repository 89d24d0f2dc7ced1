# -*- test-case-name: tests.test_model -*-
"""
One model of the server's state, for the operator's tools: what the
console's C{clientes}, the status page, C{/metrics} and the Ctrl+C
summaries read, and what the operator does (disconnect a client, stop
accepting, stop), declared once as L{IServerModel}.

Two implementations: the single process (L{tpreactor.service.TimeServer})
and the main process of C{--workers} (L{tpreactor.workers.server.WorkersServer}),
which merges what its workers say of themselves. The state is plain data
(L{ServerState} of L{ClientRecord}s) that crosses AMP as it is:
L{tpreactor.model.process} makes one process's, L{tpreactor.model.merge}
adds several up.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Optional

from zope.interface import Attribute, Interface


class IServerModel(Interface):
    """
    A whole server as the operator's tools see it.
    """

    catalogue = Attribute("The texts of the server's language (a L{tpreactor.messages.Catalogue}).")
    modeName = Attribute("The mode it serves in (C{reactor}, C{serial}, ...).")
    holdsClients = Attribute("Whether clients wait their turn, held unwelcomed (serial mode).")
    listening = Attribute("Whether it still accepts new clients.")
    serving = Attribute("Whether it serves new clients: it listens, no stop has begun (and, with workers, some worker answers).")
    stopping = Attribute("Whether its graceful stop has begun.")
    exitStatus = Attribute("0 after a clean stop; 1 when the stop cut something.")

    def state():
        """
        What the server is doing now: a Deferred of its L{ServerState}.
        With several processes, within about a second, whoever answers.
        """

    def disconnect(peer):
        """
        The client written C{peer} (as the console writes it) gets the
        closing line once its replies are sent: a Deferred of a
        L{Disconnection}.
        """

    def stopAccepting():
        """
        Ctrl+C option 1: no new clients; those held for their turn are
        closed without a welcome and the kernel's queue is reset; the
        clients connected are still served. A Deferred of C{(held closed,
        reset in the kernel's queue or None when unknown, still served)}.
        """

    def whenEmpty():
        """
        A Deferred that fires once no client is left.
        """

    def hurry():
        """
        Cut the graceful stop short; whether it was under way.
        """

    def startRecording():
        """
        From now on, record what the state shows of the replies (counts,
        latencies, refusals, each client's last message), which costs a
        little per message: the status endpoint asks for it.
        """

    def endNow():
        """
        Ctrl+C option 3: end at once every process the server started (a
        pool's, the workers), closing nothing.
        """


@dataclass(frozen=True)
class ClientRecord:
    """
    One client, as the operator's tools show it.

    @ivar peer: its address as the console writes it (C{127.0.0.1:53544}).
    @ivar state: where it is in its life (a L{tpreactor.transitions.Phase}
        value: C{waiting} for one held for its turn, C{serving}, ...).
    @ivar seconds: how long since its welcome; while it waits, since it
        was accepted.
    @ivar since: the wall time of its welcome (ISO 8601, with the zone), or
        C{None} while it waits.
    @ivar messages: the messages answered; C{pending}: those still waiting
        for their reply.
    @ivar last: its last message, escaped and cut (recorded only while the
        status endpoint is on), or C{None}.
    @ivar worker: with C{--workers}, the number of the worker that serves
        it, and C{pid} that worker's process.
    """

    peer: str
    host: str
    port: object
    state: str
    seconds: float
    since: Optional[str] = None
    messages: int = 0
    pending: int = 0
    last: Optional[str] = None
    worker: Optional[int] = None
    pid: Optional[int] = None


@dataclass(frozen=True)
class Disconnection:
    """
    What L{IServerModel.disconnect} did: the C{(peer, worker)} told
    (C{worker} is C{None} in one process; none when no client has that
    address), and the L{WorkerRecord}s of the workers that did not answer.
    """

    told: tuple = ()
    silent: tuple = ()


@dataclass(frozen=True)
class LaneRecord:
    """
    One client on the timeline of who was served when (see
    L{tpreactor.status.timeline}), its times on the wall clock (seconds
    since the epoch), so that the lanes of several processes line up.

    @ivar accepted: when it was accepted; C{welcomed} when it was welcomed
        (C{None}: not yet, or never); C{left} when it was gone (C{None}:
        still there).
    @ivar work: C{(arrival, reply)} of each of its last messages.
    @ivar earlier: how many of its earlier messages are only counted, and
        C{busy} how long their work took in all.
    """

    peer: str
    accepted: float
    welcomed: Optional[float] = None
    left: Optional[float] = None
    work: tuple = ()
    earlier: int = 0
    busy: float = 0.0
    worker: Optional[int] = None
    pid: Optional[int] = None


@dataclass(frozen=True)
class WorkerRecord:
    """
    One worker process of C{--workers}: its number, its pid, how many
    clients it had when it last answered, and whether it is C{silent} (it
    did not answer this time).
    """

    number: int
    pid: int
    clients: int = 0
    silent: bool = False


@dataclass(frozen=True)
class ServerState:
    """
    The whole server at one moment.

    @ivar clients: the clients served, in the order they came.
    @ivar waiting: the clients held for their turn, in their turn's order.
    @ivar backlog: how many more wait in the kernel's accept queue (C{None}
        where the system does not tell).
    @ivar messages: the replies written since the start (never less than
        an earlier state said); C{refusals} the clients turned away before
        their welcome, by reason; C{rate}, C{latency} and C{histogram} the
        reply times (see L{tpreactor.status.latency}). All C{None} unless
        recorded (the status endpoint is on).
    @ivar pool: how busy the work's pool is (kind, size, busy, queued).
    @ivar workers: with C{--workers}, every worker's L{WorkerRecord}.
    @ivar takenAt: when the state was taken, on the wall clock (seconds
        since the epoch); the server started C{uptime} before.
    @ivar timeline: the L{LaneRecord}s of the last minute (recorded, like
        the counters, only while the status endpoint is on), oldest first.
    """

    pid: int
    mode: str
    holdsClients: bool
    serving: bool
    listening: tuple
    uptime: float
    clients: tuple = ()
    waiting: tuple = ()
    backlog: Optional[int] = None
    messages: Optional[int] = None
    refusals: Optional[dict] = None
    rate: Optional[float] = None
    latency: Optional[dict] = None
    histogram: Optional[dict] = None
    pool: dict = field(default_factory=lambda: {"kind": "inline", "size": 0, "busy": 0, "queued": 0})
    workers: tuple = ()
    takenAt: Optional[float] = None
    timeline: Optional[tuple] = None

    def asData(self):
        """
        This state as plain JSON-able data (what /status.json serves and
        what a worker sends over AMP).
        """
        return asdict(self)

    @classmethod
    def fromData(cls, data):
        """
        The state L{asData} gave (from JSON: lists for tuples).
        """
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["listening"] = tuple(values.get("listening", ()))
        for name, record in (("clients", ClientRecord), ("waiting", ClientRecord), ("workers", WorkerRecord)):
            values[name] = tuple(record(**entry) for entry in values.get(name, ()))
        if values.get("timeline") is not None:
            values["timeline"] = tuple(
                LaneRecord(**dict(lane, work=tuple(tuple(w) for w in lane["work"]))) for lane in values["timeline"]
            )
        return cls(**values)

    @property
    def silent(self):
        """
        The workers that did not answer this time.
        """
        return tuple(w for w in self.workers if w.silent)
