"""
The status endpoint's options (L{tpreactor.status.options}), parsed as
data: C{--status}, C{--status-max-connections}, C{--status-host},
C{--status-auth}, and what each refuses in one line.
"""

import os

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status import StatusConfig, statusEndpoint
from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS
from tpreactor.tap import Options

from .support import temporaryFolder
from .test_status_auth import passwordFile


def parse(*args):
    options = Options()
    options.parseOptions(list(args))
    return options


class StatusOptionsTests(SynchronousTestCase):
    def test_off(self):
        """
        Without --status there is no status configuration.
        """
        self.assertIsNone(parse().statusConfig)

    def test_defaults(self):
        """
        --status alone: its endpoint, 64 connections at most, no other name, no credentials.
        """
        self.assertEqual(parse("--status", "8080").statusConfig,
                         StatusConfig("tcp:8080:interface=127.0.0.1", DEFAULT_MAX_CONNECTIONS, (), None))

    def test_given(self):
        """
        --status-max-connections and a repeated --status-host are taken as given.
        """
        config = parse("--status", "8080", "--status-max-connections", "8",
                       "--status-host", "a.example", "--status-host", "b.example").statusConfig
        self.assertEqual((config.maxConnections, config.hosts), (8, ("a.example", "b.example")))

    def test_auth(self):
        """
        --status-auth reads the users of its file.
        """
        path = passwordFile(self, ("ana", "secreto"))
        self.assertEqual(list(parse("--status", "8080", "--status-auth", path).statusConfig.passwords), ["ana"])

    def test_needsStatus(self):
        """
        --status-auth or --status-host without --status is a usage error that says so.
        """
        for args in (("--status-auth", "x"), ("--status-host", "a.example")):
            error = self.assertRaises(usage.UsageError, parse, "--lang", "en", *args)
            self.assertEqual(str(error), f"{args[0]} needs --status")

    def test_authFileMissing(self):
        """
        An --status-auth file that cannot be read is one line in the server's language.
        """
        error = self.assertRaises(usage.UsageError, parse, "--status", "8080", "--status-auth", "/nonexistent/x")
        self.assertEqual(str(error), "--status-auth: no se puede leer /nonexistent/x: No existe el archivo o la carpeta")

    def test_authFileNotBcrypt(self):
        """
        An --status-auth file with a hash that is not bcrypt is refused, naming the line and htpasswd -B.
        """
        path = os.path.join(temporaryFolder(self), "p")
        with open(path, "w") as f:
            f.write("ana:{SHA}abc\n")
        error = self.assertRaises(usage.UsageError, parse, "--lang", "en", "--status", "8080", "--status-auth", path)
        self.assertEqual(str(error), f"--status-auth: line 1 of {path} is no bcrypt hash (make it with htpasswd -B)")

    def test_maxConnectionsPositive(self):
        """
        --status-max-connections 0 is a usage error.
        """
        self.assertRaises(usage.UsageError, parse, "--status", "8080", "--status-max-connections", "0")

    def test_portOutOfRange(self):
        """
        A status port out of range is a usage error before anything listens.
        """
        error = self.assertRaises(usage.UsageError, parse, "--lang", "en", "--status", "tcp:99999")
        self.assertEqual(str(error), "--status: bad endpoint 'tcp:99999': the port must be between 0 and 65535")

    def test_help(self):
        """
        --help lists every status option.
        """
        text = str(Options())
        for name in ("--status=", "--status-max-connections=", "--status-host=", "--status-auth="):
            self.assertIn(name, text)


class StatusEndpointTests(SynchronousTestCase):
    def test_unixOwnerOnly(self):
        """
        A unix status socket is its owner's only unless the endpoint gives a mode.
        """
        self.assertEqual(statusEndpoint("unix:/run/t.sock"), "unix:/run/t.sock:mode=600")
        self.assertEqual(statusEndpoint("unix:/run/t.sock:mode=660"), "unix:/run/t.sock:mode=660")
        self.assertEqual(statusEndpoint("unix:address=/run/t.sock:lockfile=0"), "unix:address=/run/t.sock:lockfile=0:mode=600")
