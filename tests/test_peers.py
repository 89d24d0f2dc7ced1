"""
Tests for L{tpreactor.peers}.
"""

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.peers import describeListening, peerOf


class PeerTests(SynchronousTestCase):
    def test_ipv4(self):
        """
        An IPv4 peer is its address and port, joined by a colon.
        """
        peer = peerOf(IPv4Address("TCP", "127.0.0.1", 53544))
        self.assertEqual((peer.host, peer.port, peer.joined), ("127.0.0.1", 53544, "127.0.0.1:53544"))

    def test_ipv6(self):
        """
        IPv6 is C{::1} after C{IP:} and C{[::1]:53544} when joined.
        """
        peer = peerOf(IPv6Address("TCP", "::1", 53544))
        self.assertEqual((peer.host, peer.joined), ("::1", "[::1]:53544"))

    def test_unixNumbersConnections(self):
        """
        Unix-socket peers are C{unix} with a connection number in place of the port.
        """
        first, second = peerOf(UNIXAddress(None)), peerOf(UNIXAddress(None))
        self.assertEqual(first.host, "unix")
        self.assertEqual(second.port, first.port + 1)
        self.assertEqual(first.joined, f"unix:{first.port}")

    def test_listening(self):
        """
        The startup line names a listening address the same way, or the unix socket's path.
        """
        self.assertEqual(describeListening(IPv4Address("TCP", "127.0.0.1", 6667)), "127.0.0.1:6667")
        self.assertEqual(describeListening(IPv6Address("TCP", "::1", 6667)), "[::1]:6667")
        self.assertEqual(describeListening(UNIXAddress(b"/tmp/tp.sock")), "unix:/tmp/tp.sock")

    def test_equalByAddress(self):
        """
        Two peers with the same host and port are equal and hash alike.
        """
        first, second = peerOf(IPv4Address("TCP", "127.0.0.1", 1)), peerOf(IPv4Address("TCP", "127.0.0.1", 1))
        self.assertEqual((first, hash(first)), (second, hash(second)))
        self.assertNotEqual(first, peerOf(IPv4Address("TCP", "127.0.0.1", 2)))
        self.assertEqual(str(first), "127.0.0.1:1")
