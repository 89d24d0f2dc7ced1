"""
Tests for L{tpreactor.endpoints}.
"""

import os

import trustme
from twisted.internet.testing import MemoryReactor
from twisted.trial.unittest import SynchronousTestCase

from tests.support import temporaryFolder
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

    def test_missingKeyFile(self):
        """
        An C{ssl:} endpoint whose key file does not exist names the file, in one line.
        """
        missing = os.path.join(temporaryFolder(self), "nothing", "key.pem")
        with self.assertRaises(ValueError) as raised:
            parseEndpoint(MemoryReactor(), f"ssl:6697:privateKey={missing}")
        message = str(raised.exception)
        self.assertIn(f"{missing}: No such file or directory", message)
        self.assertNotIn("\n", message)

    def test_filesOfTheWrongKind(self):
        """
        A certificate given as the key, or a key as the certificate, is one
        line that says what OpenSSL found wrong, not its traceback.
        """
        folder = temporaryFolder(self)
        cert = trustme.CA().issue_cert("localhost")
        certFile, keyFile = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        cert.cert_chain_pems[0].write_to_path(certFile)
        cert.private_key_pem.write_to_path(keyFile)
        parseEndpoint(MemoryReactor(), f"ssl:6697:privateKey={keyFile}:certKey={certFile}")
        for wrong in (f"privateKey={certFile}", f"privateKey={keyFile}:certKey={keyFile}"):
            with self.assertRaises(ValueError) as raised:
                parseEndpoint(MemoryReactor(), f"ssl:6697:{wrong}")
            message = str(raised.exception)
            self.assertIn("PEM file", message)
            self.assertNotIn("\n", message)
