"""
Tests for L{tpreactor.tap}: the plugin's options as data, and the service.
"""

from twisted.internet.testing import MemoryReactorClock
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.factory import SerialFactory, TimeFactory
from tpreactor.modes import allModes
from tpreactor.tap import DEFAULT_LISTEN, Options, makeService


def parse(*args):
    options = Options()
    options.parseOptions(list(args))
    return options


class OptionsTests(SynchronousTestCase):
    def test_defaults(self):
        """
        Without arguments: reactor mode, loopback 6667 with our backlog, the
        contract's limits, typed values.
        """
        o = parse()
        self.assertEqual(o["mode"], "reactor")
        self.assertEqual(o["endpoints"], [DEFAULT_LISTEN + ":backlog=1024"])
        self.assertEqual(
            (o["work"], o["threads"], o["lang"], o["max-line-length"], o["idle-timeout"], o["grace"]),
            (0.0, 10, "es", 1024, 0.0, 10.0),
        )
        self.assertGreater(o["max-connections"], 0)
        self.assertFalse(o["quiet"])

    def test_serialIdleDefault(self):
        self.assertEqual(parse("--mode", "serial")["idle-timeout"], 300.0)
        self.assertEqual(parse("--mode", "serial", "--idle-timeout", "0")["idle-timeout"], 0.0)

    def test_listenAndPortAddUp(self):
        """
        --listen repeats, -p/--port is a shortcut, and each adds a listener.
        """
        o = parse("--listen", "tcp6:7000:interface=\\:\\:1", "-p", "7001", "--listen", "unix:/tmp/x.sock:backlog=5")
        self.assertEqual(
            o["endpoints"],
            [
                "tcp6:7000:interface=\\:\\:1:backlog=1024",
                "tcp:7001:interface=127.0.0.1:backlog=1024",
                "unix:/tmp/x.sock:backlog=5",
            ],
        )

    def test_values(self):
        o = parse("--mode=serial", "--work", "0.5", "--threads", "4", "--lang", "en", "-q", "--backlog", "10")
        self.assertEqual(
            (o["mode"], o["work"], o["threads"], o["lang"], o["quiet"]), ("serial", 0.5, 4, "en", True)
        )
        self.assertTrue(o["endpoints"][0].endswith(":backlog=10"))

    def test_badValues(self):
        """
        Each bad value is a one-line UsageError naming the problem (in
        English with --lang en).
        """
        cases = [
            (["--mode", "forks"], "unknown mode 'forks'"),
            (["--work", "-1"], "work must be a number at least 0"),
            (["--work", "abc"], "work"),
            (["--threads", "0"], "--threads must be a number greater than 0"),
            (["--port", "70000"], "--port must be a TCP port number"),
            (["--listen", "foo:1"], "bad endpoint 'foo:1"),
            (["--listen", "tcp:notaport"], "bad endpoint"),
            (["--work-kind", "gpu"], "unknown work kind"),
            (["--work", "inf"], "--work must be a number at least 0, not 'inf'"),
            (["--idle-timeout", "nan"], "--idle-timeout must be a number at least 0, not 'nan'"),
            (["--grace", "NaN"], "--grace must be a number"),
        ]
        for args, message in cases:
            with self.assertRaises(usage.UsageError, msg=args) as raised:
                parse("--lang", "en", *args)
            self.assertIn(message, str(raised.exception))
            self.assertNotIn("\n", str(raised.exception))

    def test_trustedProxies(self):
        """
        --trusted-proxies is loopback by default, else the networks it names,
        in every process's settings; a bad item is one line in the server's
        language.
        """
        self.assertEqual(parse().settings().trustedProxies, ("127.0.0.0/8", "::1"))
        o = parse("--trusted-proxies", "10.0.0.5, 2001:db8::/32")
        self.assertEqual(o.settings().trustedProxies, ("10.0.0.5/32", "2001:db8::/32"))
        for lang, text in [("es", "--trusted-proxies: '10.0.0.300' no es una dirección IP ni una red"),
                           ("en", "--trusted-proxies: '10.0.0.300' is neither an IP address nor a network")]:
            with self.assertRaises(usage.UsageError) as raised:
                parse("--lang", lang, "--trusted-proxies", "10.0.0.0/8,10.0.0.300")
            self.assertTrue(str(raised.exception).startswith(text), str(raised.exception))
            self.assertNotIn("\n", str(raised.exception))

    def test_workerTimeout(self):
        """
        --worker-timeout is 10 s by default, 0 turns it off, and it is never negative.
        """
        self.assertEqual((parse()["worker-timeout"], parse("--worker-timeout", "0")["worker-timeout"]), (10.0, 0.0))
        with self.assertRaises(usage.UsageError) as raised:
            parse("--lang", "en", "--worker-timeout", "-1")
        self.assertEqual(str(raised.exception), "--worker-timeout must be a number at least 0, not '-1'")

    def test_unknownLanguage(self):
        """
        A language we do not have is named in the default language, Spanish.
        """
        with self.assertRaises(usage.UsageError) as raised:
            parse("--lang", "fr")
        self.assertEqual(str(raised.exception), "idioma desconocido 'fr'; elige uno de: es, en")

    def test_helpDocumentsEveryOption(self):
        """
        --help names every option and every mode.
        """
        text = str(Options())
        for option in ("--mode", "--listen", "--port", "--work", "--work-kind", "--threads", "--processes",
                       "--lang", "--backlog", "--quiet", "--grace", "--max-line-length", "--idle-timeout",
                       "--max-connections", "--max-per-ip", "--worker-timeout", "--trusted-proxies", *(m.name for m in allModes())):
            self.assertIn(option, text)


class MakeServiceTests(SynchronousTestCase):
    def test_listensOnEveryEndpoint(self):
        """
        The service listens with one factory on every endpoint, with the
        backlog given.
        """
        reactor = MemoryReactorClock()
        service = makeService(parse("-p", "7001", "--listen", "tcp:7002", "--backlog", "77"), reactor)
        service.privilegedStartService()
        service.startService()
        self.assertEqual([(p, b) for p, _, b, _ in reactor.tcpServers], [(7001, 77), (7002, 77)])
        factories = {f for _, f, _, _ in reactor.tcpServers}
        self.assertEqual(len(factories), 1)
        self.assertIsInstance(factories.pop(), TimeFactory)

    def test_serialFactory(self):
        reactor = MemoryReactorClock()
        service = makeService(parse("--mode", "serial"), reactor)
        self.assertIsInstance(service.factory, SerialFactory)
