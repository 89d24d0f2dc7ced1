"""
The status endpoint over real HTTP against a server in this process:
/status.json, /metrics, /healthz, the page, read-only; and C{--status}.
"""

import json

from prometheus_client.parser import text_string_to_metric_families
from twisted.internet import defer, reactor, task
from twisted.internet.endpoints import serverFromString
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase, TestCase
from twisted.web.client import Agent, readBody

from tpreactor.status import StatusConfig, addStatus
from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS
from tpreactor.tap import Options

from .twistedclient import connect, startServer

HOSTILE = "<img src=x onerror=alert(1)>"


def statusServer(testCase, mode="reactor", **settings):
    """
    A server in this process with its status endpoint on a free loopback
    port; returns the server and the endpoint's base URL.
    """
    server = startServer(mode, **settings)
    description = "tcp:0:interface=127.0.0.1"
    config = StatusConfig(description, DEFAULT_MAX_CONNECTIONS)
    status = addStatus(server, config, serverFromString(reactor, description))
    testCase.addCleanup(server.stopService)
    return server, status, f"http://127.0.0.1:{status.port.getHost().port}/"


@defer.inlineCallbacks
def fetch(url, method=b"GET"):
    response = yield Agent(reactor).request(method, url.encode())
    body = yield readBody(response)
    return response, body


class StatusHttpTests(TestCase):
    @defer.inlineCallbacks
    def _clients(self, port, texts):
        clients = []
        for text in texts:
            client = yield connect(port)
            yield client.line()
            if text is not None:
                yield client.ask(text)
            clients.append(client)
        return clients

    @defer.inlineCallbacks
    def test_json(self):
        """
        /status.json lists every client served, its port, messages and last text as it was sent.
        """
        server, status, base = statusServer(self)
        clients = yield self._clients(server.port, ["hola", None, HOSTILE])
        response, body = yield fetch(base + "status.json")
        state = json.loads(body)
        self.assertEqual(response.code, 200)
        self.assertEqual(response.headers.getRawHeaders(b"content-type"), [b"application/json"])
        self.assertEqual(sorted(c["port"] for c in state["clients"]), sorted(c.localPort for c in clients))
        byPort = {c["port"]: c for c in state["clients"]}
        self.assertEqual(byPort[clients[2].localPort]["last"], HOSTILE)
        self.assertEqual(byPort[clients[0].localPort]["messages"], 1)
        self.assertEqual((state["mode"], state["holdsClients"], state["serving"], state["messages"]), ("reactor", False, True, 2))
        self.assertEqual(state["listening"], [f"127.0.0.1:{server.port}"])
        self.assertEqual(state["latency"]["count"], 2)
        self.assertIsNotNone(state["latency"]["p99"])
        for client in clients:
            client.transport.loseConnection()

    @defer.inlineCallbacks
    def test_metrics(self):
        """
        /metrics is Prometheus text with the active connections, messages,
        refusals by reason, the waiting and the reply histogram.
        """
        server, status, base = statusServer(self, maxConnections=2)
        clients = yield self._clients(server.port, ["uno", "dos"])
        refused = yield connect(server.port)
        self.assertIn("lleno", (yield refused.line()))
        yield refused.closed
        response, body = yield fetch(base + "metrics")
        self.assertTrue(response.headers.getRawHeaders(b"content-type")[0].startswith(b"text/plain"))
        samples = {}
        for family in text_string_to_metric_families(body.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        self.assertEqual(samples[("tpreactor_connections_active", ())], 2)
        self.assertEqual(samples[("tpreactor_messages_total", ())], 2)
        self.assertEqual(samples[("tpreactor_refusals_total", (("reason", "full"),))], 1)
        self.assertEqual(samples[("tpreactor_refusals_total", (("reason", "shutdown"),))], 0)
        self.assertEqual(samples[("tpreactor_waiting", ())], 0)
        self.assertEqual(samples[("tpreactor_reply_seconds_count", ())], 2)
        self.assertEqual(samples[("tpreactor_reply_seconds_bucket", (("le", "+Inf"),))], 2)
        for client in clients:
            client.transport.loseConnection()

    @defer.inlineCallbacks
    def test_healthAfterOptionOne(self):
        """
        /healthz answers 200 while serving and 503 once the socket is closed (option 1).
        """
        server, status, base = statusServer(self)
        response, body = yield fetch(base + "healthz")
        self.assertEqual((response.code, body), (200, b"serving\n"))
        yield server.stopAccepting()
        response, body = yield fetch(base + "healthz")
        self.assertEqual((response.code, body), (503, b"stopping\n"))

    @defer.inlineCallbacks
    def test_healthDuringGracefulStop(self):
        """
        /healthz answers 503 while a graceful stop waits for a client's replies.
        """
        server, status, base = statusServer(self, work=1.0)
        client = yield connect(server.port)
        yield client.line()
        client.send("lento\n")
        yield task.deferLater(reactor, 0.2, lambda: None)
        stopped = server.stopService()
        response, _ = yield fetch(base + "healthz")
        self.assertEqual(response.code, 503)
        yield stopped

    @defer.inlineCallbacks
    def test_readOnly(self):
        """
        Only GET and HEAD are served: a POST gets 405, a HEAD the headers and no body.
        """
        server, status, base = statusServer(self)
        response, _ = yield fetch(base + "status.json", b"POST")
        self.assertEqual(response.code, 405)
        self.assertEqual(set(response.headers.getRawHeaders(b"allow")[0].split(b", ")), {b"GET", b"HEAD"})
        response, body = yield fetch(base, b"HEAD")
        self.assertEqual((response.code, body), (200, b""))
        self.assertNotEqual(response.headers.getRawHeaders(b"content-length"), [b"0"])

    @defer.inlineCallbacks
    def test_page(self):
        """
        The page is for phones too, in the server's language, and may only load its own script and data.
        """
        server, status, base = statusServer(self, lang="en")
        response, body = yield fetch(base)
        page = body.decode()
        self.assertIn('<meta name="viewport" content="width=device-width, initial-scale=1">', page)
        self.assertIn("<title>tpreactor status</title>", page)
        self.assertIn('<html lang="en">', page)
        policy = response.headers.getRawHeaders(b"content-security-policy")[0]
        self.assertIn(b"script-src 'self'", policy)
        self.assertEqual(response.headers.getRawHeaders(b"x-content-type-options"), [b"nosniff"])
        response, script = yield fetch(base + "page.js")
        self.assertIn(b"textContent", script)
        self.assertNotIn(b"innerHTML", script)

    @defer.inlineCallbacks
    def test_unknownPath(self):
        """
        Any other path is 404.
        """
        server, status, base = statusServer(self)
        response, _ = yield fetch(base + "admin")
        self.assertEqual(response.code, 404)


class StatusOptionTests(SynchronousTestCase):
    def parse(self, *args):
        options = Options()
        options.parseOptions(list(args))
        return options

    def test_offByDefault(self):
        """
        Without --status there is no status endpoint.
        """
        self.assertIsNone(self.parse()["status"])

    def test_barePortIsLoopback(self):
        """
        A bare port number listens on loopback.
        """
        self.assertEqual(self.parse("--status", "8080")["status"], "tcp:8080:interface=127.0.0.1")

    def test_endpointAsGiven(self):
        """
        An endpoint string is taken as it is.
        """
        self.assertEqual(self.parse("--status", "tcp6:9000:interface=\\:\\:1")["status"], "tcp6:9000:interface=\\:\\:1")

    def test_badEndpoint(self):
        """
        A bad endpoint is a usage error that names --status.
        """
        error = self.assertRaises(usage.UsageError, self.parse, "--status", "nonsense:1")
        self.assertIn("--status", str(error))
