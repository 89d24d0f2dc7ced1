"""
Tests for L{tpreactor.proxy._wrapper} in memory: the server's protocol gets
the connection only once the PROXY header is read, by the real client's
address; a health check is closed quietly; a missing, malformed, slow or
cut-off header is one console line and a close.
"""

from twisted.internet import defer
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.testing import MemoryReactor, StringTransport
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.endpoints import parseEndpoint
from tpreactor.proxy._trust import Claims, parseTrusted
from tpreactor.proxy._wrapper import HEADER_TIMEOUT_SECONDS, HeaderFirstFactory

from .contract import DATED_REPLY as REPLY, DATED_WELCOME as WELCOME, FULL
from .memory import Client, Server, serialServer
from .test_terminal_console import consoleOn, typed
from .test_proxy_header import V1_TCP4, v2, v2ipv6

CONNECTED = "Conexión establecida con IP: 203.0.113.7 y Puerto: 41000"
PROXY_PORT = 60000


def v1(host="203.0.113.7", port=41000):
    return f"PROXY TCP4 {host} 192.0.2.1 {port} 6667\r\n".encode()


class Proxied:
    """
    A server on a Clock whose clients all come through one proxy at
    127.0.0.1.
    """

    def __init__(self, server=None, **settings):
        self.server = server or Server(**settings)
        self.factory = self.server.factory
        self.clock = self.server.clock
        self.wrapping = HeaderFirstFactory(self.factory)
        self._nextPort = PROXY_PORT

    def connect(self, proxyHost="127.0.0.1"):
        address = IPv4Address("TCP", proxyHost, self._nextPort)
        self._nextPort += 1
        wrapper = self.wrapping.buildProtocol(address)
        transport = StringTransport(peerAddress=address)
        wrapper.makeConnection(transport)
        return Client(wrapper, transport)


def logged(events):
    return [formatEvent(e) for e in events]


class AdmissionTests(SynchronousTestCase):
    def test_v1EveryChunkSize(self):
        """
        A v1 header and a line, in chunks of 1 to 9 bytes: the welcome, the
        console and the reply name the client of the header, and nothing
        happens before its last byte.
        """
        self._everyChunkSize(V1_TCP4)

    def test_v2EveryChunkSize(self):
        """
        A v2 header and a line, in chunks of 1 to 9 bytes: the welcome, the
        console and the reply name the client of the header, and nothing
        happens before its last byte.
        """
        self._everyChunkSize(v2())

    def _everyChunkSize(self, header):
        for size in range(1, 10):
            proxied = Proxied()
            with capturedLogs() as events:
                client = proxied.connect()
                client.sendInChunks(header[:-1], size)
                self.assertEqual((client.lines(), logged(events), proxied.factory.connections), ([], [], {}))
                client.sendInChunks(header[-1:] + b"hola\n", size)
            lines = client.lines()
            self.assertEqual(lines[0], WELCOME, size)
            self.assertTrue(lines[1].startswith(REPLY), size)
            self.assertEqual(logged(events), [CONNECTED, "Mensaje recibido de 203.0.113.7:41000: hola"])

    def test_deadlineCancelled(self):
        """
        Once the header is read, its deadline is gone: the client stays.
        """
        proxied = Proxied()
        client = proxied.connect()
        client.send(V1_TCP4)
        proxied.clock.advance(HEADER_TIMEOUT_SECONDS * 2)
        self.assertEqual((client.lines(), client.closing), ([WELCOME], False))

    def test_unknownIsTheProxy(self):
        """
        v1 UNKNOWN admits the client by the connection's own address.
        """
        with capturedLogs() as events:
            Proxied().connect().send(b"PROXY UNKNOWN\r\n")
        self.assertEqual(logged(events), [f"Conexión establecida con IP: 127.0.0.1 y Puerto: {PROXY_PORT}"])

    def test_perIpByRealAddress(self):
        """
        --max-per-ip counts the clients of the headers, not the proxy: two
        hosts through one proxy are both served, a second client of one of
        them is refused, and the console names it.
        """
        proxied = Proxied(maxPerIp=1)
        first, second, third = (proxied.connect() for _ in range(3))
        first.send(v1(port=41000))
        second.send(v1(host="198.51.100.9", port=41001))
        with capturedLogs() as events:
            third.send(v1(port=41002))
            third.lose()
        self.assertEqual((first.lines(), second.lines(), third.lines()), ([WELCOME], [WELCOME], [FULL]))
        self.assertEqual(logged(events), ["Cliente 203.0.113.7:41002 desconectado por el servidor: servidor lleno."])

    def test_clientList(self):
        """
        `clientes` lists the clients of the headers, and `desconectar` finds
        one by that address.
        """
        proxied = Proxied()
        proxied.connect().send(v1())
        client = proxied.connect()
        client.send(v1(host="198.51.100.9", port=41001))
        console, transport = consoleOn(proxied.server)
        lines = typed(console, transport, "clientes").splitlines()
        self.assertEqual([line.split()[0] for line in lines[1:]], ["203.0.113.7:41000", "198.51.100.9:41001"])
        self.assertEqual(typed(console, transport, "desconectar 198.51.100.9:41001"), "Desconectando a 198.51.100.9:41001.\n")
        self.assertEqual(client.lines()[-1], "Servidor: El servidor cerró la conexión.")

    def test_statusPage(self):
        """
        The server's state shows the clients of the headers, served
        and waiting, by their own addresses.
        """
        proxied = Proxied(serialServer())
        model = proxied.server.model()
        model.startRecording()
        proxied.connect().send(v1())
        proxied.connect().send(v1(host="198.51.100.9", port=41001))
        state = self.successResultOf(model.state())
        self.assertEqual([c.peer for c in state.clients], ["203.0.113.7:41000"])
        self.assertEqual([w.peer for w in state.waiting], ["198.51.100.9:41001"])

    def test_serialHeldWithItsFirstLine(self):
        """
        In serial mode a client whose first line came with its header waits
        its turn unwelcomed, and that line is answered once it is welcomed.
        """
        proxied = Proxied(serialServer())
        first, second = proxied.connect(), proxied.connect()
        first.send(v1())
        second.send(v1(port=41001) + b"hola\n")
        self.assertEqual((first.lines(), second.lines()), ([WELCOME], []))
        first.send(b"salir\n")
        first.lose()
        lines = second.lines()
        self.assertEqual(lines[0], WELCOME)
        self.assertTrue(lines[1].startswith(REPLY), lines)

    def test_halfCloseAfterHeader(self):
        """
        A client that shuts down its sending side after a message gets its
        reply, then the close.
        """
        client = Proxied().connect()
        client.send(V1_TCP4 + b"hola\n")
        client.protocol.readConnectionLost()
        lines = client.lines()
        self.assertTrue(lines[-1].startswith(REPLY), lines)
        self.assertTrue(client.closing)


class HealthCheckTests(SynchronousTestCase):
    def test_localIsNoClient(self):
        """
        A v2 LOCAL header (HAProxy's health check) gets no welcome and no
        console line, and is closed; the server never counts it.
        """
        proxied = Proxied()
        with capturedLogs() as events:
            client = proxied.connect()
            client.send(v2(command=0x0, family=0x00, body=b""))
            self.assertTrue(client.closing)
            self.assertEqual(proxied.factory.connections, {})
            client.lose()
        self.assertEqual((client.lines(), logged(events), proxied.wrapping.protocols), ([], [], {}))


class OpenFileCountTests(SynchronousTestCase):
    def test_countedFromTheAccept(self):
        """
        A connection still waiting for its header holds a descriptor, so the
        open-file limit counts it from the accept; once the header is read
        it is counted once, and a health check or a header that never comes
        stops being counted when the connection is gone.
        """
        proxied = Proxied()
        accepting = proxied.factory.accepting
        waiting = [proxied.connect() for _ in range(3)]
        self.assertEqual(accepting.open, 3)
        waiting[0].send(v1())
        self.assertEqual((accepting.open, len(proxied.factory.connections)), (3, 1))
        waiting[1].send(v2(command=0x0, family=0x00, body=b""))
        waiting[1].lose()
        self.assertEqual(accepting.open, 2)
        waiting[2].lose()
        waiting[0].lose()
        self.assertEqual(accepting.open, 0)


class RefusalTests(SynchronousTestCase):
    def assertRefused(self, data, line, lang="es"):
        """
        C{data} gets nothing back, the close, and C{line} alone on the
        console, the server's protocol never connected.
        """
        proxied = Proxied(lang=lang)
        with capturedLogs() as events:
            client = proxied.connect()
            client.send(data)
            self.assertTrue(client.closing)
            client.lose()
        self.assertEqual((client.lines(), logged(events)), ([], [line]))
        self.assertEqual((proxied.factory.connections, proxied.wrapping.protocols), ({}, {}))

    def test_missing(self):
        """
        A client that speaks with no header is refused with one line.
        """
        self.assertRefused(b"hola\n", f"Conexión de 127.0.0.1:{PROXY_PORT} cerrada: no empezó con una cabecera PROXY.")

    def test_missingEnglish(self):
        """
        In English the refusal says the same.
        """
        self.assertRefused(
            b"hola\n", f"Connection from 127.0.0.1:{PROXY_PORT} closed: it did not begin with a PROXY header.", "en"
        )

    def test_malformedV1Port(self):
        """
        A v1 port that is no number (Twisted's own wrapper raises on it) is
        one line and a close, no traceback.
        """
        self.assertRefused(
            b"PROXY TCP4 203.0.113.7 192.0.2.1 abc 6667\r\nhola\n",
            f"Conexión de 127.0.0.1:{PROXY_PORT} cerrada: cabecera PROXY mal formada.",
        )
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_malformedEnglish(self):
        """
        In English a malformed header is one line too.
        """
        self.assertRefused(v2(command=0x2), f"Connection from 127.0.0.1:{PROXY_PORT} closed: malformed PROXY header.", "en")

    def test_slow(self):
        """
        A header not whole within the deadline is one line and a close; until
        then, the connection waits.
        """
        proxied = Proxied()
        with capturedLogs() as events:
            client = proxied.connect()
            client.send(V1_TCP4[:10])
            proxied.clock.advance(HEADER_TIMEOUT_SECONDS - 0.1)
            self.assertFalse(client.closing)
            proxied.clock.advance(0.1)
            self.assertTrue(client.closing)
            client.send(V1_TCP4[10:])  # too late: ignored
            client.lose()
        self.assertEqual(client.lines(), [])
        self.assertEqual(logged(events), [f"Conexión de 127.0.0.1:{PROXY_PORT} cerrada: la cabecera PROXY no llegó en 5 s."])
        self.assertEqual(proxied.clock.getDelayedCalls(), [])

    def test_slowEnglish(self):
        """
        In English the deadline's line names the seconds too.
        """
        proxied = Proxied(lang="en")
        with capturedLogs() as events:
            proxied.connect()
            proxied.clock.advance(HEADER_TIMEOUT_SECONDS)
        self.assertEqual(logged(events), [f"Connection from 127.0.0.1:{PROXY_PORT} closed: no PROXY header within 5 s."])

    def test_goneBeforeHeader(self):
        """
        A connection lost before its header is whole is one line, and its
        deadline is cancelled.
        """
        proxied = Proxied()
        with capturedLogs() as events:
            proxied.connect().lose()
        self.assertEqual(
            logged(events), [f"Conexión de 127.0.0.1:{PROXY_PORT} cerrada: se desconectó antes de enviar su cabecera PROXY."]
        )
        self.assertEqual(proxied.clock.getDelayedCalls(), [])

    def test_halfClosedBeforeHeader(self):
        """
        A connection that shuts down its sending side before its header is
        whole is one line and a close; losing it then says nothing more.
        """
        self.assertRefusedAfter(
            lambda client: client.protocol.readConnectionLost(),
            f"Conexión de 127.0.0.1:{PROXY_PORT} cerrada: se desconectó antes de enviar su cabecera PROXY.",
        )

    def assertRefusedAfter(self, act, line):
        proxied = Proxied()
        with capturedLogs() as events:
            client = proxied.connect()
            client.send(V1_TCP4[:3])
            act(client)
            self.assertTrue(client.closing)
            client.lose()
        self.assertEqual(logged(events), [line])


class TrustTests(SynchronousTestCase):
    def test_untrustedClosedUnread(self):
        """
        A connection from a peer that is no trusted proxy is closed as it
        is accepted, before anything is sent or read, with one console line
        naming its own address and why; it is no longer counted once gone.
        """
        proxied = Proxied(trustedProxies=parseTrusted("127.0.0.1"))
        with capturedLogs() as events:
            client = proxied.connect(proxyHost="127.0.0.2")
            self.assertTrue(client.closing)
            client.send(V1_TCP4 + b"hola\n")
            client.lose()
        self.assertEqual(client.transport.value(), b"")
        self.assertEqual(logged(events), [
            f"Conexión de 127.0.0.2:{PROXY_PORT} cerrada: no es un proxy de confianza (--trusted-proxies): "
            "su cabecera PROXY no se cree."
        ])
        self.assertEqual((proxied.factory.connections, proxied.factory.accepting.open), ({}, 0))
        self.assertEqual(proxied.clock.getDelayedCalls(), [])

    def test_untrustedEnglish(self):
        """
        In English the line says the same.
        """
        proxied = Proxied(lang="en")
        with capturedLogs() as events:
            proxied.connect(proxyHost="192.0.2.50")
        self.assertEqual(logged(events), [
            f"Connection from 192.0.2.50:{PROXY_PORT} closed: it is not a trusted proxy (--trusted-proxies): "
            "its PROXY header is not believed."
        ])

    def test_trustedByTheList(self):
        """
        A peer the list names is believed, loopback or not, and its client admitted by the header's address.
        """
        proxied = Proxied(trustedProxies=parseTrusted("10.0.0.0/8"))
        client = proxied.connect(proxyHost="10.9.8.7")
        with capturedLogs() as events:
            client.send(V1_TCP4)
        self.assertEqual((client.lines(), logged(events)), ([WELCOME], [CONNECTED]))


class ClaimTests(SynchronousTestCase):
    def test_secondLiveClaimRefused(self):
        """
        A second live connection whose header claims a connected client's
        address and port is refused with one console line and nothing on
        the wire; the first goes on, and once it has gone the address may
        come again.
        """
        proxied = Proxied()
        first, second = proxied.connect(), proxied.connect()
        first.send(v1(host="10.0.0.5", port=50000))
        with capturedLogs() as events:
            second.send(v1(host="10.0.0.5", port=50000) + b"hola\n")
            self.assertTrue(second.closing)
            second.lose()
        self.assertEqual(second.lines(), [])
        self.assertEqual(logged(events), [
            f"Conexión de 127.0.0.1:{PROXY_PORT + 1} cerrada: su cabecera PROXY dice venir de 10.0.0.5:50000, "
            "un cliente que ya está conectado."
        ])
        self.assertTrue(first.send(b"hola\n") is None and first.lines()[-1].startswith(REPLY))
        self.assertEqual((len(proxied.factory.connections), proxied.factory.accepting.open), (1, 1))
        first.lose()
        third = proxied.connect()
        third.send(v1(host="10.0.0.5", port=50000))
        self.assertEqual(third.lines(), [WELCOME])

    def test_ipv6ClaimsAndEnglish(self):
        """
        An IPv6 client is claimed in the console's form ([2001:db8::7]:41000), and refused twice in English too.
        """
        proxied = Proxied(lang="en")
        proxied.connect().send(v2ipv6())
        with capturedLogs() as events:
            proxied.connect().send(v2ipv6())
        self.assertEqual(logged(events), [
            f"Connection from 127.0.0.1:{PROXY_PORT + 1} closed: its PROXY header claims [2001:db8::7]:41000, "
            "a client already connected."
        ])

    def test_sameHostOtherPortsAdmitted(self):
        """
        One client address with different ports is several clients: each is admitted.
        """
        proxied = Proxied()
        clients = [proxied.connect() for _ in range(3)]
        for port, client in enumerate(clients, 41000):
            client.send(v1(port=port))
        self.assertEqual([c.lines() for c in clients], [[WELCOME]] * 3)

    def test_refusedByTheServerReleases(self):
        """
        A client the server refuses (server full) gives its claim back as it closes.
        """
        proxied = Proxied(maxConnections=1)
        proxied.connect().send(v1(port=1))
        full = proxied.connect()
        full.send(v1(port=2))
        self.assertEqual(full.lines(), [FULL])
        full.lose()
        self.assertEqual(len(proxied.factory.proxyClaims), 1)

    def test_noClaimWithoutASource(self):
        """
        A header that names no client (v1 UNKNOWN) claims nothing: the proxy's own connection stands.
        """
        proxied = Proxied()
        proxied.connect().send(b"PROXY UNKNOWN\r\n")
        self.assertEqual(len(proxied.wrapping.claims), 0)


class AskedClaims(Claims):
    """
    Claims answered later, as a worker's are by the main process.
    """

    def __init__(self):
        Claims.__init__(self)
        self.asked = []
        self.released = []

    def claim(self, peer, owner=None):
        d = defer.Deferred()
        self.asked.append((peer, d))
        return d

    def release(self, peer, owner=None):
        self.released.append(peer)


class AskedClaimTests(SynchronousTestCase):
    def setUp(self):
        self.proxied = Proxied()
        self.claims = self.proxied.factory.proxyClaims = AskedClaims()
        self.client = self.proxied.connect()

    def test_waitsUnreadThenAdmitted(self):
        """
        While the claim is asked the connection is not read and nothing is
        said; once it is free the client is welcomed and what it sent
        meanwhile is answered.
        """
        self.client.send(v1() + b"uno\n")
        self.assertEqual(self.client.transport.producerState, "paused")
        self.client.send(b"dos\n")
        self.assertEqual((self.client.lines(), self.proxied.factory.connections), ([], {}))
        self.claims.asked[0][1].callback(True)
        lines = self.client.lines()
        self.assertEqual(self.client.transport.producerState, "producing")
        self.assertEqual((lines[0], len(lines)), (WELCOME, 3))
        self.client.lose()
        self.assertEqual(self.claims.released, ["203.0.113.7:41000"])

    def test_refusedWhenTaken(self):
        """
        A claim the main process says is taken is refused with the console line and the close.
        """
        self.client.send(v1())
        with capturedLogs() as events:
            self.claims.asked[0][1].callback(False)
        self.assertTrue(self.client.closing)
        self.assertIn("un cliente que ya está conectado", logged(events)[0])
        self.client.lose()
        self.assertEqual(self.claims.released, [])

    def test_goneWhileAskingGivesItBack(self):
        """
        A connection lost while its claim is asked gives the claim back when the answer comes.
        """
        self.client.send(v1())
        self.client.lose()
        self.claims.asked[0][1].callback(True)
        self.assertEqual(self.claims.released, ["203.0.113.7:41000"])
        self.assertEqual((self.proxied.factory.connections, self.proxied.factory.accepting.open), ({}, 0))

    def test_halfClosedWhileAsking(self):
        """
        A client that sent salir and shut down its sending side while its claim was asked still gets its goodbye.
        """
        self.client.send(v1() + b"salir\n")
        self.client.protocol.readConnectionLost()
        self.claims.asked[0][1].callback(True)
        lines = self.client.lines()
        self.assertEqual(lines[0], WELCOME)
        self.assertTrue(lines[-1].startswith("Servidor: Conexión finalizada."), lines)


class EndpointTests(SynchronousTestCase):
    def test_haproxyEndpoint(self):
        """
        C{haproxy:} endpoints are Twisted wrapper endpoints with our factory
        wrapper, so code that adopts the listening socket elsewhere (the
        workers) wraps its factory the same way.
        """
        endpoint = parseEndpoint(MemoryReactor(), "haproxy:tcp:6667:interface=127.0.0.2")
        self.assertIs(endpoint._wrapperFactory, HeaderFirstFactory)
        self.assertIsInstance(endpoint.wrapped, TCP4ServerEndpoint)
        self.assertIs(endpoint._wrappedEndpoint, endpoint.wrapped)
