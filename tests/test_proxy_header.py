"""
Tests for L{tpreactor.proxy._header}: PROXY headers, v1 and v2, read in
every chunk size, and every way the first bytes can fail to be one.
"""

import socket
import struct

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.protocols.haproxy._v2parser import V2Parser
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.proxy._header import MALFORMED, MISSING, V2_SIGNATURE, HeaderReader, NotAHeader

V1_TCP4 = b"PROXY TCP4 203.0.113.7 192.0.2.1 41000 6667\r\n"


def v2(command=0x1, family=0x11, body=None, tlvs=b"", sourcePort=41000):
    """
    A v2 header: TCP over IPv4 from 203.0.113.7:41000 (or C{sourcePort}) to
    192.0.2.1:6667 unless told otherwise.
    """
    if body is None:
        body = socket.inet_aton("203.0.113.7") + socket.inet_aton("192.0.2.1") + struct.pack("!HH", sourcePort, 6667)
    body += tlvs
    return V2_SIGNATURE + bytes([0x20 | command, family]) + struct.pack("!H", len(body)) + body


def v2ipv6():
    body = socket.inet_pton(socket.AF_INET6, "2001:db8::7") + socket.inet_pton(socket.AF_INET6, "::1")
    return v2(family=0x21, body=body + struct.pack("!HH", 41000, 6667))


def readInChunks(data, size):
    """
    Feed C{data} to a new reader C{size} bytes at a time, as a connection
    would, until the header is whole; that header, its C{rest} followed by
    the chunks not fed, or C{None} if it never came whole.
    """
    reader = HeaderReader()
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    for i, chunk in enumerate(chunks):
        header = reader.feed(chunk)
        if header is not None:
            return header._replace(rest=header.rest + b"".join(chunks[i + 1:]))
    return None


class WholeHeaderTests(SynchronousTestCase):
    def test_v1EveryChunkSize(self):
        """
        A v1 header and the client's first line, in chunks of 1 to 9 bytes,
        give the client's address and that line.
        """
        for size in range(1, 10):
            header = readInChunks(V1_TCP4 + b"hola\n", size)
            self.assertEqual(header.source, IPv4Address("TCP", "203.0.113.7", 41000), size)
            self.assertFalse(header.local)
            self.assertEqual(header.rest, b"hola\n", size)

    def test_v2EveryChunkSize(self):
        """
        A v2 header with a TLV after its addresses, in chunks of 1 to 9
        bytes, gives the client's address, its signature cut anywhere.
        """
        data = v2(tlvs=b"\x04\x00\x02ab") + b"hola\n"
        for size in range(1, 10):
            header = readInChunks(data, size)
            self.assertEqual(header.source, IPv4Address("TCP", "203.0.113.7", 41000), size)
            self.assertFalse(header.local)
            self.assertEqual(header.rest, b"hola\n", size)

    def test_v2LocalEveryChunkSize(self):
        """
        A v2 LOCAL header (a health check), in chunks of 1 to 9 bytes, is a
        local header with no address.
        """
        for size in range(1, 10):
            header = readInChunks(v2(command=0x0, family=0x00, body=b""), size)
            self.assertEqual((header.source, header.local, header.rest), (None, True, b""), size)

    def test_restInOneChunk(self):
        """
        What follows the header in the same chunk is the client's data.
        """
        self.assertEqual(HeaderReader().feed(V1_TCP4 + b"hola\nchau").rest, b"hola\nchau")
        self.assertEqual(HeaderReader().feed(v2() + b"hola\n").rest, b"hola\n")

    def test_v1Ipv6(self):
        """
        A v1 TCP6 header gives an IPv6 address.
        """
        header = HeaderReader().feed(b"PROXY TCP6 2001:db8::7 ::1 41000 6667\r\n")
        self.assertEqual(header.source, IPv6Address("TCP", "2001:db8::7", 41000))

    def test_v2Ipv6Short(self):
        """
        A v2 IPv6 address is written the short way, as a direct connection's.
        """
        self.assertEqual(HeaderReader().feed(v2ipv6()).source, IPv6Address("TCP", "2001:db8::7", 41000))

    def test_v2AgreesWithTwisted(self):
        """
        The direct reading of TCP over IPv4 and IPv6 gives what Twisted's v2
        parser gives, IPv6 written as the system writes a peer's.
        """
        headers = [v2(), v2(tlvs=b"\x04\x00\x01z"), v2ipv6()] + [
            v2(family=0x21, body=socket.inet_pton(socket.AF_INET6, host) * 2 + struct.pack("!HH", port, 1))
            for host, port in (("::ffff:192.0.2.1", 0), ("fe80::1:2:3:4", 65535), ("2001:db8:0:0:1::", 80))
        ]
        for header in headers:
            expected = V2Parser.parse(header).source
            if isinstance(expected, IPv6Address):
                host = socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, expected.host))
                expected = IPv6Address("TCP", host, expected.port)
            self.assertEqual(HeaderReader().feed(header).source, expected)

    def test_v1Unknown(self):
        """
        v1 UNKNOWN, with or without addresses after it, is a client whose
        address is the connection's own.
        """
        for line in (b"PROXY UNKNOWN\r\n", b"PROXY UNKNOWN ff::1 ff::2 1 2\r\n"):
            self.assertEqual(HeaderReader().feed(line + b"x"), (None, False, b"x"))

    def test_v2Unspecified(self):
        """
        A v2 PROXY header of no family is a client whose address is the
        connection's own (not a health check).
        """
        self.assertEqual(HeaderReader().feed(v2(family=0x00, body=b"")), (None, False, b""))


class NotAHeaderTests(SynchronousTestCase):
    def assertNotAHeader(self, data, reason):
        """
        Fed in one chunk, or byte by byte, C{data} is refused for C{reason}.
        """
        with self.assertRaises(NotAHeader) as raised:
            HeaderReader().feed(data)
        self.assertEqual(raised.exception.reason, reason, data)
        with self.assertRaises(NotAHeader):
            readInChunks(data, 1)

    def test_missing(self):
        """
        A client that speaks first, with no header, is refused at its first
        byte that no header begins with.
        """
        self.assertNotAHeader(b"hola\n", MISSING)
        self.assertNotAHeader(b"\r\nhola\n", MISSING)  # a v2 signature's start, then not
        self.assertNotAHeader(b"PROX\n", MISSING)

    def test_malformedV1Port(self):
        """
        A v1 port that is not a decimal number from 0 to 65535 (Twisted's
        parser raises ValueError on the first) is malformed.
        """
        for port in (b"abc", b"70000", b"-1", b"+80", b"8_0", b"080", b""):
            self.assertNotAHeader(b"PROXY TCP4 203.0.113.7 192.0.2.1 " + port + b" 6667\r\n", MALFORMED)
            self.assertNotAHeader(b"PROXY TCP4 203.0.113.7 192.0.2.1 41000 " + port + b"\r\n", MALFORMED)

    def test_malformedV1(self):
        """
        A v1 line with a wrong family, bad or wrong-family addresses, too
        many or too few fields, or no CRLF within 107 bytes is malformed.
        """
        for line in (
            b"PROXY TCP5 203.0.113.7 192.0.2.1 41000 6667\r\n",
            b"PROXY TCP4 203.0.113.999 192.0.2.1 41000 6667\r\n",
            b"PROXY TCP4 ::1 192.0.2.1 41000 6667\r\n",
            b"PROXY TCP6 203.0.113.7 ::1 41000 6667\r\n",
            b"PROXY TCP6 fe80::1%eth0 ::1 41000 6667\r\n",
            b"PROXY TCP4 203.0.113.\xe9 192.0.2.1 41000 6667\r\n",
            b"PROXY TCP4 203.0.113.7 192.0.2.1 41000 6667 extra\r\n",
            b"PROXY TCP4 203.0.113.7 192.0.2.1 41000\r\n",
            b"PROXY  TCP4 203.0.113.7 192.0.2.1 41000 6667\r\n",
            b"PROXYTCP4\r\n",
            b"PROXY\r\n",
            b"PROXY TCP4 " + b"1" * 100,
        ):
            self.assertNotAHeader(line, MALFORMED)

    def test_malformedV2(self):
        """
        A v2 header of another version, an unknown command or family, or an
        address block shorter than its family's is malformed.
        """
        for data in (
            V2_SIGNATURE + b"\x11\x11\x00\x00",
            v2(command=0x2),
            v2(family=0x41),
            v2(family=0x13),
            v2(body=b"\x01\x02\x03"),
        ):
            self.assertNotAHeader(data, MALFORMED)

    def test_refusedAtOnce(self):
        """
        A v2 signature is judged by its 13th byte: no need to wait for more.
        """
        with self.assertRaises(NotAHeader):
            HeaderReader().feed(V2_SIGNATURE + b"\x11")
