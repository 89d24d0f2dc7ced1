# -*- test-case-name: tests.test_proxy_header -*-
"""
Reading a PROXY protocol header (v1 or v2) off the front of a connection, in
whatever chunks it arrives, with Twisted's own parsers doing the parsing
(but for HAProxy's everyday v2 header of TCP, read directly: see
L{_tcpSource}), and checking what they take on trust (a v1 port that is no
number raises inside Twisted's).

L{HeaderReader.feed} says, for the bytes read so far: not yet, a client's
header (its real address, the bytes after it), a health check's (v2
C{LOCAL}), or why it is not a header at all (L{NotAHeader}).
"""

import re
import socket
import struct
from typing import NamedTuple, Optional

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress
from twisted.protocols.haproxy._exceptions import InvalidProxyHeader
from twisted.protocols.haproxy._v1parser import V1Parser
from twisted.protocols.haproxy._v2parser import V2Parser

#: Why a connection's first bytes are not a usable header (keys of the
#: catalogue's C{proxyReasons}).
MISSING, MALFORMED = "missing", "malformed"

#: The v1 signature; a v1 header is one line, at most this long with its CRLF.
V1_SIGNATURE = V1Parser.PROXYSTR
V1_MAX_BYTES = 107
#: The v2 signature, then version-and-command, family-and-protocol and the
#: length of the rest (two bytes, big-endian).
V2_SIGNATURE = V2Parser.PREFIX
V2_FIXED_BYTES = 16
V2_VERSION = 0x20
V2_LOCAL, V2_PROXY = 0x00, 0x01
#: Family-and-protocol bytes of TCP over IPv4 and IPv6: the socket family,
#: the length of one address, the Twisted address type.
_V2_TCP = {0x11: (socket.AF_INET, 4, IPv4Address), 0x21: (socket.AF_INET6, 16, IPv6Address)}

_PORT = re.compile(rb"(0|[1-9][0-9]{0,4})\Z")
_FAMILIES = {V1Parser.TCP4_PROTO: socket.AF_INET, V1Parser.TCP6_PROTO: socket.AF_INET6}


class Header(NamedTuple):
    """
    A whole header.

    @ivar source: the client's address, or C{None} when the header gives none
        (v1 C{UNKNOWN}, v2 C{UNSPEC}, v2 C{LOCAL}): the connection's own
        address stands.
    @ivar local: whether it is a v2 C{LOCAL} header, which the proxy sends on
        connections of its own (health checks), not a client's.
    @ivar rest: the bytes that followed the header (the client's first data).
    """

    source: Optional[IAddress]
    local: bool
    rest: bytes


class NotAHeader(Exception):
    """
    The connection does not begin with a usable header.

    @ivar reason: L{MISSING} (the first bytes are no header's) or
        L{MALFORMED} (a header's signature, then something no header has).
    """

    def __init__(self, reason):
        Exception.__init__(self, reason)
        self.reason = reason


class HeaderReader:
    """
    Collects a connection's first bytes until they hold a whole header.

    Unlike Twisted's C{HAProxyProtocolWrapper}, which decides from the first
    chunk alone, any chunking is read the same: a header cut anywhere, even
    inside its signature, is a header.
    """

    def __init__(self):
        self._buffer = b""

    def feed(self, data):
        """
        Add C{data} to what was read.

        @return: the L{Header} once it is whole, else C{None}.
        @raise NotAHeader: as soon as the bytes cannot begin a header, or
            begin one that is malformed.
        """
        buffer = self._buffer = self._buffer + data
        if buffer[:len(V2_SIGNATURE)] == V2_SIGNATURE[:len(buffer)]:
            return self._v2(buffer) if len(buffer) >= len(V2_SIGNATURE) else None
        if buffer[:len(V1_SIGNATURE)] == V1_SIGNATURE[:len(buffer)]:
            return self._v1(buffer) if len(buffer) >= len(V1_SIGNATURE) else None
        raise NotAHeader(MISSING)

    def _v1(self, buffer):
        end = buffer.find(V1Parser.NEWLINE, 0, V1_MAX_BYTES)
        if end < 0:
            if len(buffer) >= V1_MAX_BYTES:
                raise NotAHeader(MALFORMED)
            return None
        line, rest = buffer[:end], buffer[end + len(V1Parser.NEWLINE):]
        if not _checkV1(line):  # UNKNOWN: whatever follows it is ignored
            return Header(None, False, rest)
        try:
            info = V1Parser.parse(line)
        except (InvalidProxyHeader, ValueError):
            raise NotAHeader(MALFORMED) from None
        return Header(_canonical(info.source), False, rest)

    def _v2(self, buffer):
        versionCommand = buffer[len(V2_SIGNATURE)] if len(buffer) > len(V2_SIGNATURE) else V2_VERSION
        if versionCommand & 0xF0 != V2_VERSION:
            raise NotAHeader(MALFORMED)
        if len(buffer) < V2_FIXED_BYTES:
            return None
        size = V2_FIXED_BYTES + struct.unpack_from("!H", buffer, V2_FIXED_BYTES - 2)[0]
        if len(buffer) < size:
            return None
        header, rest = buffer[:size], buffer[size:]
        fast = _tcpSource(header) if versionCommand & 0x0F == V2_PROXY else None
        if fast is not None:
            return Header(fast, False, rest)
        try:
            info = V2Parser.parse(header)
        except (InvalidProxyHeader, ValueError, KeyError, struct.error):
            raise NotAHeader(MALFORMED) from None
        local = versionCommand & 0x0F == V2_LOCAL
        return Header(None if local else _canonical(info.source), local, rest)


def _checkV1(line):
    """
    What Twisted's v1 parser takes on trust: each address is one of the
    family named, each port a decimal number from 0 to 65535, and nothing
    follows them.

    @return: C{False} for an C{UNKNOWN} header (it carries no address),
        C{True} for one whose addresses are to be read.
    @raise NotAHeader: L{MALFORMED} if any of it is not so.
    """
    fields = line.split(b" ")
    if fields[:2] == [V1_SIGNATURE, V1Parser.UNKNOWN_PROTO]:
        return False
    family = _FAMILIES.get(fields[1]) if len(fields) == 6 and fields[0] == V1_SIGNATURE else None
    if family is None:
        raise NotAHeader(MALFORMED)
    try:
        for host in fields[2:4]:
            socket.inet_pton(family, host.decode("ascii"))
    except (OSError, ValueError):  # not an address of that family; not ASCII
        raise NotAHeader(MALFORMED) from None
    for port in fields[4:6]:
        if not _PORT.match(port) or int(port) > 65535:
            raise NotAHeader(MALFORMED)
    return True


def _tcpSource(header):
    """
    The source of a v2 PROXY header of TCP over IPv4 or IPv6 (what HAProxy
    sends for every client), read directly, or C{None} for any other header
    (Twisted's parser reads those). Twisted's parser takes about 40 µs of
    CPU per header here, a quarter of what a short session costs the server;
    this takes a tenth of that. The tests check the two agree.
    """
    shape = _V2_TCP.get(header[V2_FIXED_BYTES - 3])
    if shape is None:
        return None
    family, length, addressType = shape
    if len(header) < V2_FIXED_BYTES + 2 * length + 4:
        return None
    host = socket.inet_ntop(family, header[V2_FIXED_BYTES:V2_FIXED_BYTES + length])
    (port,) = struct.unpack_from("!H", header, V2_FIXED_BYTES + 2 * length)
    return addressType("TCP", host, port)


def _canonical(address):
    """
    C{address} with an IPv6 host written the short way (C{::1}, not the
    C{0:0:0:0:0:0:0:1} of Twisted's v2 parser), as a direct connection's is.
    """
    if isinstance(address, IPv6Address):
        host = socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, address.host))
        return IPv6Address(address.type, host, address.port)
    return address
