"""
Tests for L{tpreactor.endpoints}.
"""

from twisted.internet.testing import MemoryReactor
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.endpoints import parseEndpoint, withBacklog


class BacklogTests(SynchronousTestCase):
    def test_added(self):
        for description in ("tcp:6667", "tcp6:6667", "unix:/tmp/s", "ssl:6667:privateKey=k.pem"):
            self.assertEqual(withBacklog(description, 9), description + ":backlog=9")

    def test_keptWhenSet(self):
        self.assertEqual(withBacklog("tcp:6667:backlog=5", 9), "tcp:6667:backlog=5")

    def test_haproxy(self):
        self.assertEqual(withBacklog("haproxy:tcp:6667", 9), "haproxy:tcp:6667:backlog=9")

    def test_otherTypes(self):
        self.assertEqual(withBacklog("systemd:domain=INET:index=0", 9), "systemd:domain=INET:index=0")


class ParseTests(SynchronousTestCase):
    def test_badStrings(self):
        """
        Bad endpoint strings are one-line ValueErrors, never a traceback.
        """
        for description in ("foo:1", "tcp:notaport", "tcp:6667:foo=bar", "tcp"):
            with self.assertRaises(ValueError) as raised:
                parseEndpoint(MemoryReactor(), description)
            self.assertIn(description, str(raised.exception))
