"""
Tests for L{tpreactor.proxy._trust}: the option's networks, which peers are
believed (IPv4, IPv6, IPv4 on a dual-stack socket, unix), and the live
claims of proxied clients.
"""

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.proxy._trust import DEFAULT_TRUSTED, Claims, Trusted, parseTrusted


def v4(host):
    return IPv4Address("TCP", host, 40000)


def v6(host):
    return IPv6Address("TCP", host, 40000)


class ParseTests(SynchronousTestCase):
    def test_addressesAndNetworks(self):
        """
        Addresses and CIDR networks of both families, comma-separated with or without spaces, become networks.
        """
        self.assertEqual(parseTrusted("10.0.0.5, 192.168.0.0/16,2001:db8::/32,::1"),
                         ("10.0.0.5/32", "192.168.0.0/16", "2001:db8::/32", "::1/128"))

    def test_hostBitsAreTheNetwork(self):
        """
        A network written with host bits (10.1.2.3/8) is the network it lies in, as nginx reads it.
        """
        self.assertEqual(parseTrusted("10.1.2.3/8"), ("10.0.0.0/8",))

    def test_badItemIsNamed(self):
        """
        Anything that is neither an address nor a network, an empty item too, raises naming that item.
        """
        for text, item in [("10.0.0.0/8,bogus", "bogus"), ("10.0.0.0/33", "10.0.0.0/33"), ("", ""),
                           ("10.0.0.1,", ""), ("localhost", "localhost")]:
            with self.assertRaises(ValueError, msg=text) as raised:
                parseTrusted(text)
            self.assertEqual(str(raised.exception), item)


class TrustedTests(SynchronousTestCase):
    def test_defaultIsLoopback(self):
        """
        By default the whole IPv4 loopback network and ::1 are believed, nothing else.
        """
        trusted = Trusted()
        self.assertEqual(DEFAULT_TRUSTED, ("127.0.0.0/8", "::1"))
        self.assertEqual([trusted.believes(v4(h)) for h in ("127.0.0.1", "127.0.0.2", "10.0.0.1", "192.0.2.1")],
                         [True, True, False, False])
        self.assertEqual([trusted.believes(v6(h)) for h in ("::1", "2001:db8::1", "::2")], [True, False, False])

    def test_unixAlways(self):
        """
        A unix-socket peer is on this host: it is believed whatever the list says.
        """
        self.assertTrue(Trusted(parseTrusted("10.0.0.0/8")).believes(UNIXAddress(None)))

    def test_listReplacesTheDefault(self):
        """
        A list given replaces loopback: only what it names is believed.
        """
        trusted = Trusted(parseTrusted("127.0.0.1,2001:db8::/32"))
        self.assertEqual([trusted.believes(v4(h)) for h in ("127.0.0.1", "127.0.0.2")], [True, False])
        self.assertEqual([trusted.believes(v6(h)) for h in ("2001:db8::7", "::1")], [True, False])

    def test_ipv4OnADualStackSocket(self):
        """
        An IPv4 peer of an IPv6 socket (::ffff:a.b.c.d) is judged by its IPv4 address.
        """
        trusted = Trusted(parseTrusted("10.0.0.0/8"))
        self.assertTrue(trusted.believes(v6("::ffff:10.1.2.3")))
        self.assertFalse(trusted.believes(v6("::ffff:192.0.2.1")))

    def test_scopedAndNonsense(self):
        """
        A scoped IPv6 peer is judged by its address; a host that is no address is not believed.
        """
        trusted = Trusted(parseTrusted("fe80::/10"))
        self.assertTrue(trusted.believes(v6("fe80::1%eth0")))
        self.assertFalse(trusted.believes(v4("not-an-address")))

    def test_answersRemembered(self):
        """
        The answer for a peer is the same every time, however many peers came since.
        """
        trusted = Trusted()
        for i in range(3000):
            self.assertFalse(trusted.believes(v4(f"10.{i // 256 % 256}.{i % 256}.1")))
            self.assertTrue(trusted.believes(v4("127.0.0.1")))


class ClaimsTests(SynchronousTestCase):
    def test_onceAtATime(self):
        """
        A client address and port is claimed once while live; once released it can be claimed again.
        """
        claims = Claims()
        self.assertTrue(claims.claim("10.0.0.5:50000"))
        self.assertFalse(claims.claim("10.0.0.5:50000"))
        self.assertTrue(claims.claim("10.0.0.5:50001"))
        claims.release("10.0.0.5:50000")
        self.assertTrue(claims.claim("10.0.0.5:50000"))

    def test_ownersAndTheirEnd(self):
        """
        A claim is released only by its owner; an owner that ends releases all of its claims.
        """
        claims = Claims()
        claims.claim("10.0.0.5:1", 1)
        claims.claim("10.0.0.5:2", 1)
        claims.claim("10.0.0.6:1", 2)
        claims.release("10.0.0.5:1", 2)
        self.assertFalse(claims.claim("10.0.0.5:1", 2))
        claims.releaseAll(1)
        self.assertEqual(len(claims), 1)
        self.assertTrue(claims.claim("10.0.0.5:1", 2))
        self.assertFalse(claims.claim("10.0.0.6:1", 1))
