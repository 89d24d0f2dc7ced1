"""
Which C{Host} the status endpoint answers (L{tpreactor.status.hosts}).
"""

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.hosts import AllowedHosts, normalName

LOOPBACK = IPv4Address("TCP", "127.0.0.1", 8080)
LOOPBACK6 = IPv6Address("TCP", "::1", 8080)
LAN = IPv4Address("TCP", "192.0.2.10", 8080)


class NormalNameTests(SynchronousTestCase):
    def test_forms(self):
        """
        A name compares without its port, brackets, case or trailing dot.
        """
        self.assertEqual(
            [normalName(n) for n in ("LocalHost:8080", "[::1]:8080", "[::1]", "::1", "status.example.:80", "127.0.0.1")],
            ["localhost", "::1", "::1", "::1", "status.example", "127.0.0.1"],
        )


class AllowedHostsTests(SynchronousTestCase):
    def test_loopbackNames(self):
        """
        On a loopback listener, localhost and the loopback addresses are answered, with any port.
        """
        hosts = AllowedHosts()
        for host in (b"localhost:8080", b"127.0.0.1:8080", b"[::1]:8080", b"localhost"):
            self.assertTrue(hosts.allows(host, LOOPBACK), host)
        self.assertTrue(hosts.allows(b"[::1]:8080", LOOPBACK6))

    def test_foreignName(self):
        """
        Another name (a DNS rebinding page's) is not answered.
        """
        hosts = AllowedHosts()
        self.assertFalse(hosts.allows(b"attacker.example:8080", LOOPBACK))
        self.assertFalse(hosts.allows(b"127.0.0.2:8080", LOOPBACK))

    def test_addressReached(self):
        """
        Beyond loopback, the address the connection reached is answered, and localhost is not.
        """
        hosts = AllowedHosts()
        self.assertTrue(hosts.allows(b"192.0.2.10:8080", LAN))
        self.assertFalse(hosts.allows(b"localhost:8080", LAN))

    def test_namesAdded(self):
        """
        The names the operator adds (--status-host) are answered, in any case.
        """
        hosts = AllowedHosts(["Status.Example"])
        self.assertTrue(hosts.allows(b"status.example:443", LAN))
        self.assertFalse(hosts.allows(b"other.example", LAN))

    def test_noHostOrUnixSocket(self):
        """
        A request without Host, or over a unix socket, comes from no browser: it is answered.
        """
        hosts = AllowedHosts()
        self.assertTrue(hosts.allows(None, LOOPBACK))
        self.assertTrue(hosts.allows(b"anything", UNIXAddress("/tmp/status.sock")))
