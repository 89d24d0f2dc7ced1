# -*- test-case-name: tests.test_resets -*-
"""
Noticing a client that reset its connection while it was not being read.

While a connection's reading is paused (its work is backed up, it does not
read its replies, or it waits its turn) the reactor does not poll its socket
for reading, so a reset (RST) from the client shows only once a reply is
written to it, which may be much later: meanwhile its queued work runs, it
counts as open, and a graceful stop waits for it.

The cheap way, and the one that keeps to Twisted's interfaces, is a probe
timer that runs only while a connection is paused: every L{PROBE_SECONDS}
it asks the socket whether an error is pending (C{getsockopt(SO_ERROR)}:
one system call a second per paused connection, nothing read). The other
ways are worse:

  - polling the socket for errors only: no reactor interface registers a
    descriptor for errors without its data (C{addReader} reads the data,
    which pausing is there to stop); an epoll or poll registration with no
    events would mean reaching into each reactor's internals;
  - peeking (C{recv(1, MSG_PEEK)}): what the client sent before it reset is
    returned first, so a reset behind unread data, the usual case for a
    paused connection, goes unseen. C{SO_ERROR} is set by the reset itself,
    whatever is still unread.

The timer is armed when reading pauses and not cancelled when it resumes:
it finds the connection read again and stops, so a connection that pauses
and resumes at every burst costs one timer a period, not one per pause.

A reset found means nothing more can be written: the session's
L{Input.WRITE_END}, as if the transport had said it. The queued messages are
dropped, work in the pool is not answered, and the transport is closed; it
finds the socket dead and calls C{connectionLost}, so the session ends
through its table and the console says the client disconnected.
"""

import socket

from .session import Input

SECONDS = 1.0
#: How often a paused connection's socket is asked for a reset: the longest
#: a dead client's queued work may wait to be dropped.
PROBE_SECONDS = 1.0 * SECONDS
#: Wrapping transports (TLS, the PROXY protocol) looked through for the socket.
_MAX_WRAPPERS = 4


def socketOf(transport):
    """
    The socket under C{transport}, looking through wrapping protocols (TLS,
    PROXY) that keep the transport they wrap as C{transport}; C{None} if
    there is none (an in-memory transport).
    """
    for _ in range(_MAX_WRAPPERS + 1):
        getHandle = getattr(transport, "getHandle", None)
        handle = getHandle() if getHandle is not None else None
        if hasattr(handle, "getsockopt"):
            return handle
        transport = getattr(transport, "transport", None)
        if transport is None:
            return None
    return None


def pendingError(sock):
    """
    The error pending on C{sock} (an C{errno} value; C{ECONNRESET} after a
    reset), or 0. Reading it clears it: the socket stays shut down, so any
    later read or write still fails.
    """
    try:
        return sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    except OSError:  # closed already: the transport is losing it anyway
        return 0


class ResetProbe:
    """
    Mixed into the protocol: while its reading is paused (C{_pauses} holds a
    reason), its socket is probed for a reset every L{PROBE_SECONDS}. Needs
    C{transport}, C{reactor}, C{closed} and C{_advance} from the session.
    """

    _probeCall = None

    def _watchForReset(self):
        """
        Reading is paused: probe from now on (if the transport has a socket).
        """
        if self._probeCall is None and socketOf(self.transport) is not None:
            self._probeCall = self.reactor.callLater(PROBE_SECONDS, self._probe)

    def _probe(self):
        """
        Still paused: a reset ends the write side; otherwise probe again.
        """
        self._probeCall = None
        if not self._pauses or self.closed:
            return  # read again: the reactor sees a reset by itself
        sock = socketOf(self.transport)
        if sock is not None and pendingError(sock):
            self._advance(Input.WRITE_END)
        else:
            self._watchForReset()
