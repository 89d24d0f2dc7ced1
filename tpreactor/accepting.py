# -*- test-case-name: tests.test_accepting -*-
"""
Whether the listening ports accept: they stop for any of several reasons (a
serial client's turn, the open-file limit) and accept again only once no
reason is left; and the count of open connections that keeps every accept
within the open-file limit, so that each client accepted can be told
something (its welcome, or that the server is full); and, where several
processes share a socket, how many connections one wake-up may take.
"""

from twisted.internet.interfaces import IPushProducer

from .openfiles import servedWithin

#: Why the ports stop accepting: a client is served and the next ones wait
#: their turn in the kernel's backlog (serial mode)...
TURN = "turn"
#: ...or every descriptor the server gives to connections is taken...
DESCRIPTORS = "descriptors"
#: ...or this worker is ahead of the others in a burst, and lets them catch
#: up (L{tpreactor.workers.turns}).
AHEAD = "ahead"


class Accepting:
    """
    The listening ports, and whether they accept.

    Twisted's accept loop (C{twisted.internet.tcp.Port.doRead}) takes up to
    C{numberAccepts} connections at once (a hundred and more in a burst);
    when the process runs out of descriptors in the middle (C{EMFILE}) it
    closes every connection still queued, without a word. So each loop is
    held to the L{room} left under L{limit}, and once none is left the
    ports stop accepting: the next clients wait in the kernel's backlog
    until a connection closes. Each loop is also held to L{perWake} when
    it is set: a process that shares its sockets with others (the workers)
    then takes a few of a queued burst and leaves the rest to the others,
    whom the kernel wakes meanwhile.

    @ivar ports: the listening ports, in the order they were added.
    @ivar limit: most connections open at once, served, held and being
        refused alike (0: no limit).
    @ivar served: of those, how many may be served or held (the rest is
        the reserve that tells the next clients the server is full).
    @ivar perWake: most connections one accept loop takes (C{None}: as
        many as Twisted would). Set it before the ports are added.
    @ivar turns: asked before each accept loop whether to take one, and
        told what it took (L{tpreactor.workers.turns.Turns}), or C{None}.
    @ivar open: connections accepted and not yet closed.
    @ivar guests: of those, the status endpoint's (L{admitGuest}).
    """

    guests = 0
    turns = None
    perWake = None

    def __init__(self, limit):
        self.ports = []
        self.limit = limit
        self.served = servedWithin(limit)
        self.open = 0
        self._reasons = set()
        self._loops = {}

    @property
    def paused(self):
        """
        Whether the ports stop accepting, for any reason.
        """
        return bool(self._reasons)

    @property
    def room(self):
        """
        How many more connections may be accepted now; C{None} for no limit.
        """
        if not self.limit:
            return None
        return max(0, self.limit - self.open)

    def add(self, port):
        """
        Accept on C{port} too, within the limit (and not while paused).
        """
        self.ports.append(port)
        doRead = getattr(port, "doRead", None)
        if (self.limit or self.perWake or self.turns) and doRead is not None and hasattr(port, "numberAccepts"):
            # Another wrapper of its own (the workers' EPOLLEXCLUSIVE) stays under ours.
            self._loops[port] = (doRead, "doRead" in vars(port))
            port.doRead = lambda: self._acceptWithin(port, doRead)
        if self._reasons:
            _pause(port)

    def remove(self, port):
        """
        C{port} no longer listens.
        """
        if port in self.ports:
            self.ports.remove(port)
        loop = self._loops.pop(port, None)
        if loop is not None:
            doRead, own = loop
            if own:
                port.doRead = doRead
            else:
                del port.doRead

    def _acceptWithin(self, port, doRead):
        """
        One accept loop on C{port}, of at most the room left and L{perWake},
        if it is this process's turn.
        """
        room = self.room
        if room == 0:  # the reactor had this port's turn in hand already
            self.pause(DESCRIPTORS)
            return None
        # Twisted's own count adapts (1 after a loop that took one); ours
        # does not, so that a loop that took all it could means more wait.
        most = self.perWake or port.numberAccepts
        if room is not None:
            most = min(most, room)
        turns = self.turns
        if turns is None:
            port.numberAccepts = most
            return doRead()
        if not turns.mayAccept():
            return None
        port.numberAccepts = most
        before = port.sessionno
        result = doRead()
        turns.took(port.sessionno - before, most, port)
        return result

    def opened(self):
        """
        A connection was accepted: it holds a descriptor until it closes.
        """
        self.open += 1
        if self.limit and self.open >= self.limit:
            self.pause(DESCRIPTORS)

    def admitGuest(self):
        """
        Count a guest's connection (the status endpoint's) if the limit
        leaves room for it beyond the L{reserve} kept to refuse line
        clients: whether it may stay.
        """
        if self.limit and self.limit - self.open <= self.reserve:
            return False
        self.guests += 1
        self.opened()
        return True

    def guestLeft(self):
        """
        A guest's connection closed.
        """
        self.guests -= 1
        self.closed()

    @property
    def reserve(self):
        """
        The descriptors kept to tell line clients the server is full.
        """
        return self.limit - self.served

    def closed(self):
        """
        A connection closed: its descriptor is free again.
        """
        self.open -= 1
        if DESCRIPTORS in self._reasons and self.open < self.limit:
            self.resume(DESCRIPTORS)

    def pause(self, reason):
        """
        Stop accepting for C{reason} (L{TURN}, L{DESCRIPTORS}).
        """
        if not self._reasons:
            for port in self.ports:
                _pause(port)
        self._reasons.add(reason)

    def resume(self, reason):
        """
        C{reason} to stop accepting is gone: accept again unless another is left.
        """
        if reason not in self._reasons:
            return
        self._reasons.discard(reason)
        if not self._reasons:
            for port in self.ports:
                producer = IPushProducer(port, None)
                if producer is not None:
                    producer.resumeProducing()


def _pause(port):
    producer = IPushProducer(port, None)
    if producer is not None:
        producer.pauseProducing()
