"""
The status endpoint's connections in memory (L{tpreactor.status.site}):
how long a slow or idle one lives, one response at a time, no body beyond
a few KiB, and how many of them there may be, within the line service's
open-file budget.
"""

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource

from tpreactor.accepting import Accepting
from tpreactor.status.site import (
    DRAIN_SECONDS, HEADERS_SECONDS, IDLE_SECONDS, MAX_BODY_BYTES, GuestSite, bodyRefusal,
)

PEER = IPv4Address("TCP", "127.0.0.1", 50000)
GET = b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class Hello(Resource):
    isLeaf = True

    def render_GET(self, request):
        return b"hello"


class SlowReader(StringTransport):
    """
    A transport whose buffer is full after every write, as a client's that
    does not read: it pauses its producer at once, and resumes it on
    L{drain}.
    """

    def write(self, data):
        StringTransport.write(self, data)
        if self.producer is not None:
            self.producer.pauseProducing()

    def drain(self):
        self.producer.resumeProducing()


def site(accepting=None, maxConnections=64):
    root = Resource()
    root.putChild(b"x", Hello())
    clock = Clock()
    return GuestSite(root, clock, accepting, maxConnections), clock


def connected(guestSite, transportClass=StringTransport):
    """
    A channel of C{guestSite} on an in-memory transport.
    """
    channel = guestSite.buildProtocol(PEER)
    transport = transportClass(peerAddress=PEER)
    channel.makeConnection(transport)
    return channel, transport


def responses(transport):
    return transport.value().count(b"HTTP/1.1 ")


class SlowAndIdleTests(SynchronousTestCase):
    def test_headersLate(self):
        """
        Headers still not whole L{HEADERS_SECONDS} after their first byte close the connection, however often bytes come.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        request = b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        for byte in request:
            channel.dataReceived(bytes([byte]))
            clock.advance(HEADERS_SECONDS / len(request) * 0.999)
        self.assertFalse(transport.disconnecting)
        clock.advance(HEADERS_SECONDS * 0.01)
        self.assertTrue(transport.disconnecting)
        self.assertEqual(responses(transport), 0)

    def test_headersInTime(self):
        """
        A request whose headers come whole in time is answered, and the deadline does not cut the connection later.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(GET[:10])
        clock.advance(HEADERS_SECONDS / 2)
        channel.dataReceived(GET[10:])
        self.assertEqual(responses(transport), 1)
        clock.advance(HEADERS_SECONDS)
        self.assertFalse(transport.disconnecting)

    def test_idleKeepAlive(self):
        """
        A keep-alive connection with no new request for L{IDLE_SECONDS} is closed.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(GET)
        clock.advance(IDLE_SECONDS * 0.99)
        self.assertFalse(transport.disconnecting)
        clock.advance(IDLE_SECONDS * 0.02)
        self.assertTrue(transport.disconnecting)

    def test_idleSaysNothing(self):
        """
        Closing an idle connection logs nothing (the console is the clients').
        """
        from twisted.logger import capturedLogs

        guestSite, clock = site()
        channel, transport = connected(guestSite)
        with capturedLogs() as events:
            clock.advance(IDLE_SECONDS * 1.01)
        self.assertTrue(transport.disconnecting)
        self.assertEqual(events, [])


class OneResponseAtATimeTests(SynchronousTestCase):
    def test_pipelinedWaitForTheTransport(self):
        """
        While the transport holds a response unsent (it paused the channel), pipelined requests wait; each is answered once it has sent the one before.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite, SlowReader)
        channel.dataReceived(GET * 5)
        self.assertEqual(responses(transport), 1)
        for sent in range(2, 6):
            transport.drain()
            self.assertEqual(responses(transport), sent)
        transport.drain()
        self.assertEqual(responses(transport), 5)

    def test_unreadIsCut(self):
        """
        A response the client does not take within L{DRAIN_SECONDS} cuts the connection.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.pauseProducing()
        channel.dataReceived(GET * 2)
        clock.advance(DRAIN_SECONDS * 0.99)
        self.assertFalse(transport.disconnected)
        clock.advance(DRAIN_SECONDS * 0.02)
        self.assertTrue(transport.disconnected)
        self.assertEqual(responses(transport), 1)

    def test_takenInTime(self):
        """
        A response taken in time leaves the connection open for the next request.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.pauseProducing()
        channel.dataReceived(GET)
        clock.advance(DRAIN_SECONDS * 0.9)
        channel.resumeProducing()
        clock.advance(DRAIN_SECONDS * 0.2)
        self.assertFalse(transport.disconnecting)
        channel.dataReceived(GET)
        self.assertEqual(responses(transport), 2)


class BodyTests(SynchronousTestCase):
    def test_refusals(self):
        """
        A body on a method the endpoint does not answer is 405, one larger than the limit or of unknown length is 413; no body, or a small one on GET, is read.
        """
        self.assertEqual(
            [bodyRefusal(b"POST", 50_000_000), bodyRefusal(b"PUT", 1), bodyRefusal(b"GET", MAX_BODY_BYTES + 1),
             bodyRefusal(b"GET", None), bodyRefusal(b"POST", 0), bodyRefusal(b"GET", MAX_BODY_BYTES),
             bodyRefusal(b"HEAD", 0)],
            [405, 405, 413, 413, None, None, None],
        )

    def test_bigPostRefusedBeforeItsBody(self):
        """
        A POST announcing 50 MB is answered 405 as soon as its headers are in, before any of the body is read, and the connection closes.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50000000\r\n"
                             b"Expect: 100-continue\r\n\r\n")
        value = transport.value()
        self.assertTrue(value.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n"), value)
        self.assertIn(b"Allow: GET, HEAD\r\n", value)
        self.assertNotIn(b"100 Continue", value)
        self.assertTrue(transport.disconnecting)
        channel.dataReceived(b"x" * 65536)
        self.assertEqual(transport.value(), value)
        self.assertEqual(channel.requests[-1].content, None)

    def test_bigGetBody(self):
        """
        A GET whose body is larger than L{MAX_BODY_BYTES} is 413.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(b"GET /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 413 Content Too Large\r\n"))
        self.assertTrue(transport.disconnecting)

    def test_chunkedGetBody(self):
        """
        A GET whose body is chunked (of unknown length) is 413.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(b"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 413 Content Too Large\r\n"))

    def test_smallGetBody(self):
        """
        A GET with a small body is answered as usual.
        """
        guestSite, clock = site()
        channel, transport = connected(guestSite)
        channel.dataReceived(b"GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertFalse(transport.disconnecting)


class CapTests(SynchronousTestCase):
    def test_cap(self):
        """
        Beyond C{maxConnections} open at once, a new connection is closed as it is accepted; one that closes makes room.
        """
        guestSite, clock = site(maxConnections=2)
        first, _ = connected(guestSite)
        connected(guestSite)
        self.assertIsNone(guestSite.buildProtocol(PEER))
        first.connectionLost(None)
        self.assertIsNotNone(guestSite.buildProtocol(PEER))

    def test_countedWithTheClients(self):
        """
        A status connection holds a descriptor of the line service's budget while it is open.
        """
        accepting = Accepting(100)
        guestSite, clock = site(accepting)
        channel, _ = connected(guestSite)
        self.assertEqual((accepting.open, accepting.guests), (1, 1))
        channel.connectionLost(None)
        self.assertEqual((accepting.open, accepting.guests, guestSite.open), (0, 0, 0))

    def test_reserveKeptForRefusals(self):
        """
        A status connection is refused when taking it would leave less than the reserve that tells line clients the server is full.
        """
        accepting = Accepting(100)
        guestSite, clock = site(accepting)
        for _ in range(100 - accepting.reserve - 1):
            accepting.opened()
        self.assertIsNotNone(guestSite.buildProtocol(PEER))
        self.assertIsNone(guestSite.buildProtocol(PEER))
        self.assertEqual(accepting.guests, 1)
