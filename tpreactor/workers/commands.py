# -*- test-case-name: tests.test_workers_commands -*-
"""
What the main process and its workers say to each other, as AMP commands.

Main to worker: L{Heartbeat} (every second: are you there, what have you
counted), L{Stop} (the graceful stop), L{Hurry} (cut it short),
L{CloseListeners} (option 1), L{WhenEmpty}, L{State} (C{clientes}, C{--status}),
L{Kick} (C{desconectar}). Worker to main:
L{Ready}, L{Load} (how many clients it has, when that changed),
L{Goodbye} (what it counted, as it ends) and, when the limits are the
whole server's, L{Admit} and L{Left}; behind the PROXY protocol, L{Claim}
and L{Unclaim}.
"""

from twisted.protocols.amp import (
    AMP, MAX_VALUE_LENGTH, Argument, BinaryBoxProtocol, Boolean, Command, Integer, Unicode,
)


class QuietAMP(AMP):
    """
    AMP without its lines about the connection coming and going: each side
    says what matters (a worker started, a worker died) in its own words.
    """

    def makeConnection(self, transport):
        BinaryBoxProtocol.makeConnection(self, transport)

    def connectionLost(self, reason):
        BinaryBoxProtocol.connectionLost(self, reason)
        self.transport = None


class LongText(Argument):
    """
    Text of any length: AMP carries at most L{MAX_VALUE_LENGTH} bytes in one
    value, so it goes as the values C{NAME.0}, C{NAME.1}, ... of one box.
    """

    def toBox(self, name, strings, objects, proto):
        data = self.retrieve(objects, name.decode("ascii"), proto).encode("utf-8")
        chunks = [data[i:i + MAX_VALUE_LENGTH] for i in range(0, len(data), MAX_VALUE_LENGTH)] or [b""]
        for index, chunk in enumerate(chunks):
            strings[b"%s.%d" % (name, index)] = chunk

    def fromBox(self, name, strings, objects, proto):
        chunks, index = [], 0
        while b"%s.%d" % (name, index) in strings:
            chunks.append(strings.pop(b"%s.%d" % (name, index)))
            index += 1
        objects[name.decode("ascii")] = b"".join(chunks).decode("utf-8")


class Heartbeat(Command):
    """
    Main to worker, every second: the worker is there if it answers, with
    how many clients it has and its counters (see
    L{tpreactor.workers.counters}) as JSON, or C{null} when it records none.
    """

    arguments = []
    response = [(b"clients", Integer()), (b"counters", Unicode())]


class Stop(Command):
    """
    Stop gracefully: stop accepting, answer, close every client; the worker
    then exits with its exit status.
    """

    arguments = []
    response = []


class Hurry(Command):
    """
    The operator will not wait: cut the graceful stop short.
    """

    arguments = []
    response = [(b"hurried", Boolean())]


class CloseListeners(Command):
    """
    Option 1: stop accepting and keep serving the connected clients.
    """

    arguments = []
    response = [(b"waiting", Integer()), (b"backlog", Integer(optional=True)), (b"served", Integer())]


class WhenEmpty(Command):
    """
    Answered once the worker has no client left.
    """

    arguments = []
    response = []


class Kick(Command):
    """
    C{desconectar}: the client written C{peer} gets the closing line; the
    answer is its address as the console writes it, or C{""} when the worker
    has no such client.
    """

    arguments = [(b"peer", Unicode())]
    response = [(b"peer", Unicode())]


class State(Command):
    """
    C{clientes}, the status page, C{/metrics}: the worker's state, a
    L{tpreactor.model.ServerState} as the JSON of its data (records, never
    console text).
    """

    arguments = []
    response = [(b"state", LongText())]


class Ready(Command):
    """
    Worker to main: it accepts on every listening socket now.
    """

    arguments = [(b"pid", Integer())]
    requiresAnswer = False


class Load(Command):
    """
    Worker to main: it has C{clients} clients now.
    """

    arguments = [(b"clients", Integer())]
    requiresAnswer = False


class Goodbye(Command):
    """
    Worker to main, at the end of its stop: its counters as it leaves them
    (JSON, as in L{Heartbeat}), so that what it counted after its last
    heartbeat is not lost.
    """

    arguments = [(b"counters", Unicode())]
    response = []


class Admit(Command):
    """
    Worker to main: may a client from C{host} be served, under the whole
    server's C{--max-connections} and C{--max-per-ip}?
    """

    arguments = [(b"host", Unicode())]
    response = [(b"admitted", Boolean())]


class Left(Command):
    """
    Worker to main: an admitted client from C{host} is gone.
    """

    arguments = [(b"host", Unicode())]
    requiresAnswer = False


class Claim(Command):
    """
    Worker to main: a PROXY header claims the client C{peer} (as the console
    writes it); is no other connection of the server's that client now?
    The main process takes it for the worker if so.
    """

    arguments = [(b"peer", Unicode())]
    response = [(b"free", Boolean())]


class Unclaim(Command):
    """
    Worker to main: the connection that claimed C{peer} is gone.
    """

    arguments = [(b"peer", Unicode())]
    requiresAnswer = False
