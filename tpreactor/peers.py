# -*- test-case-name: tests.test_peers -*-
"""
How a peer address is written on the operator's console, for every kind of
transport a Twisted endpoint can give us.
"""

import itertools

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress

_unixConnections = itertools.count(1)


class Peer:
    """
    A connected client as the console shows it; one is made per connection,
    so it is a plain object with slots (a frozen dataclass with a cached
    property cost several times as much to make and read).

    @ivar host: what follows C{IP:} (C{127.0.0.1}, C{::1}, C{unix}).
    @ivar port: what follows C{Puerto:} (the TCP port, or a connection
        number for a unix socket).
    @ivar joined: host and port joined (C{127.0.0.1:53544}, C{[::1]:53544},
        C{unix:3}); the form C{desconectar} takes, and every console line
        about the peer shows.
    """

    __slots__ = ("host", "port", "joined")

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.joined = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def __eq__(self, other):
        if type(other) is not Peer:
            return NotImplemented
        return self.host == other.host and self.port == other.port

    def __hash__(self):
        return hash((self.host, self.port))

    def __repr__(self):
        return f"Peer(host={self.host!r}, port={self.port!r})"

    def __str__(self):
        return self.joined


def peerOf(address):
    """
    The L{Peer} for a transport's C{getPeer()} result.
    """
    if isinstance(address, (IPv4Address, IPv6Address)):
        host = address.host.split("%", 1)[0] if isinstance(address, IPv6Address) else address.host
        return Peer(host, address.port)
    if isinstance(address, UNIXAddress):
        return Peer("unix", next(_unixConnections))
    return Peer(type(address).__name__, next(_unixConnections))


def describeListening(address):
    """
    Where a listening port is, for the startup line (C{127.0.0.1:6667},
    C{[::1]:6667}, C{unix:/run/tp.sock}).
    """
    if isinstance(address, (IPv4Address, IPv6Address)):
        return Peer(address.host, address.port).joined
    if isinstance(address, UNIXAddress):
        name = address.name.decode() if isinstance(address.name, bytes) else address.name
        return f"unix:{name}"
    return str(address)
