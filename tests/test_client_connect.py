"""
Unit tests for L{tpreactor.client.connect}: what each failure to connect
means, and how an endpoint is named to the user.
"""

import errno

from twisted.internet import error
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.messages import catalogue
from tpreactor.client.connect import (
    CANNOT_CONNECT, REFUSED, TIMED_OUT, UNKNOWN_HOST, describe, explain, splitDescription,
)

ES, EN = catalogue("es").client, catalogue("en").client


class ExplainTests(SynchronousTestCase):
    """
    Each way of failing to connect has its own status and words.
    """

    def check(self, exc, status, reason, texts=ES):
        self.assertEqual(explain(Failure(exc), texts, 2.5), (status, reason))

    def test_refused(self):
        self.check(error.ConnectionRefusedError(), REFUSED, ES.refused)

    def test_noUnixSocket(self):
        self.check(error.ConnectError(errno.ENOENT, "No such file"), REFUSED, ES.noSocket)

    def test_unknownHost(self):
        self.check(error.DNSLookupError("nohost.invalid"), UNKNOWN_HOST, ES.unknownHost)

    def test_timeout(self):
        self.check(error.TimeoutError(), TIMED_OUT, "no answer within 2.5 s", texts=EN)

    def test_other(self):
        self.check(error.NoRouteError(), CANNOT_CONNECT, str(error.NoRouteError()).rstrip("."))

    def test_distinctStatuses(self):
        """
        Every status is distinct and none is 0, 1, 2 or 130.
        """
        statuses = {REFUSED, UNKNOWN_HOST, TIMED_OUT, CANNOT_CONNECT}
        self.assertEqual(len(statuses), 4)
        self.assertFalse(statuses & {0, 1, 2, 130})


class DescribeTests(SynchronousTestCase):
    """
    How an endpoint string is named in the C{Conectando} line.
    """

    def test_split(self):
        self.assertEqual(splitDescription("tcp6:\\:\\:1:6667"), ["tcp6", "::1", "6667"])

    def test_tcp(self):
        self.assertEqual(describe("tcp:localhost:6667"), ("localhost", "6667"))
        self.assertEqual(describe("tcp:port=6667:host=example.org"), ("example.org", "6667"))
        self.assertEqual(describe("tcp:host=example.org:6667"), ("example.org", "6667"))

    def test_tcp6AndTls(self):
        self.assertEqual(describe("tcp6:\\:\\:1:6667:timeout=3"), ("::1", "6667"))
        self.assertEqual(describe("tls:example.org:6697:trustRoots=/x"), ("example.org", "6697"))

    def test_unix(self):
        self.assertEqual(describe("unix:/tmp/tp.sock"), ("/tmp/tp.sock", None))
        self.assertEqual(describe("unix:path=/tmp/tp.sock:timeout=2"), ("/tmp/tp.sock", None))

    def test_unknownType(self):
        self.assertEqual(describe("weird:thing"), ("weird:thing", None))
