"""
Other endpoints for real: IPv6 loopback, unix sockets and TLS.
"""

from pathlib import Path

import trustme
from twisted.internet import defer, reactor, ssl
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, UNIXClientEndpoint, wrapClientTLS
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import TestCase

from .contract import GOODBYE, REPLY, WELCOME
from .support import temporaryFolder
from .twistedclient import connect, startServer



@defer.inlineCallbacks
def session(endpoint):
    client = yield connect(None, endpoint)
    client.local = client.transport.getHost()
    assert (yield client.line()).startswith(WELCOME)
    assert (yield client.ask("hola")).startswith(REPLY)
    assert (yield client.ask("salir")).startswith(GOODBYE)
    yield client.closed.addTimeout(5, reactor)
    return client


def logLines(events):
    return [formatEvent(e) for e in events]


class LiveEndpointTests(TestCase):
    def test_ipv6Reactor(self):
        """
        On ::1 the console of a reactor server writes C{IP: ::1} and C{[::1]:port}.
        """
        return self._ipv6("reactor")

    def test_ipv6Serial(self):
        """
        On ::1 the console of a serial server writes C{IP: ::1} and C{[::1]:port}.
        """
        return self._ipv6("serial")

    @defer.inlineCallbacks
    def _ipv6(self, mode):
        with capturedLogs() as events:
            server = startServer(mode, endpoint="tcp6:0:interface=\\:\\:1")
            self.addCleanup(server.stopService)
            client = yield session(TCP6ClientEndpoint(reactor, "::1", server.port))
        port = client.local.port
        lines = logLines(events)
        assert f"Servidor en modo {mode} escuchando en [::1]:{server.port}" in lines
        assert f"Conexión establecida con IP: ::1 y Puerto: {port}" in lines
        assert f"Mensaje recibido de [::1]:{port}: hola" in lines

    def test_unixSocketReactor(self):
        """
        A unix-socket peer of a reactor server shows as C{unix} with a connection number.
        """
        return self._unixSocket("reactor")

    def test_unixSocketSerial(self):
        """
        A unix-socket peer of a serial server shows as C{unix} with a connection number.
        """
        return self._unixSocket("serial")

    @defer.inlineCallbacks
    def _unixSocket(self, mode):
        path = str(Path(temporaryFolder(self)) / "tp.sock")
        with capturedLogs() as events:
            server = startServer(mode, endpoint=f"unix:{path}")
            self.addCleanup(server.stopService)
            yield session(UNIXClientEndpoint(reactor, path))
        lines = logLines(events)
        assert f"Servidor en modo {mode} escuchando en unix:{path}" in lines
        connected = [line for line in lines if line.startswith("Conexión establecida con IP: unix y Puerto: ")]
        assert len(connected) == 1
        number = connected[0].rsplit(" ", 1)[1]
        assert f"Mensaje recibido de unix:{number}: hola" in lines

    @defer.inlineCallbacks
    def test_tls(self):
        """
        Over an ssl: endpoint with a certificate made for the test, a session
        works and the flood protection does not stall the handshake.
        """
        tmp_path = Path(temporaryFolder(self))
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        key, chain = tmp_path / "key.pem", tmp_path / "cert.pem"
        cert.private_key_pem.write_to_path(str(key))
        cert.cert_chain_pems[0].write_to_path(str(chain))
        server = startServer("reactor", endpoint=f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={chain}", work=0.01)
        self.addCleanup(server.stopService)
        trust = ssl.Certificate.loadPEM(ca.cert_pem.bytes())
        endpoint = wrapClientTLS(ssl.optionsForClientTLS("localhost", trust), TCP4ClientEndpoint(reactor, "127.0.0.1", server.port))
        yield session(endpoint)

    @defer.inlineCallbacks
    def test_tlsGracefulStop(self):
        """
        A graceful stop over TLS answers, sends the closing line and finishes:
        the registered producer does not hold the TLS close back.
        """
        tmp_path = Path(temporaryFolder(self))
        ca = trustme.CA()
        cert = ca.issue_cert("localhost")
        key, chain = tmp_path / "key.pem", tmp_path / "cert.pem"
        cert.private_key_pem.write_to_path(str(key))
        cert.cert_chain_pems[0].write_to_path(str(chain))
        server = startServer("reactor", endpoint=f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={chain}")
        trust = ssl.Certificate.loadPEM(ca.cert_pem.bytes())
        endpoint = wrapClientTLS(ssl.optionsForClientTLS("localhost", trust), TCP4ClientEndpoint(reactor, "127.0.0.1", server.port))
        client = yield connect(None, endpoint)
        yield client.line()
        assert (yield client.ask("hola")).startswith(REPLY)
        yield server.stopService().addTimeout(5, reactor)
        assert (yield client.line()) == "Servidor: El servidor cerró la conexión."
        yield client.closed.addTimeout(5, reactor)

    def test_warnsOnAllInterfacesWithoutLimit(self):
        """
        Listening on every interface without a per-address limit is warned about.
        """
        return self._warnsOnAllInterfaces(0, True)

    def test_noWarningOnAllInterfacesWithALimit(self):
        """
        Listening on every interface with a per-address limit is not warned about.
        """
        return self._warnsOnAllInterfaces(5, False)

    @defer.inlineCallbacks
    def _warnsOnAllInterfaces(self, limit, warned):
        with capturedLogs() as events:
            server = startServer("reactor", endpoint="tcp:0:interface=0.0.0.0", maxPerIp=limit)
        yield server.stopService()
        assert any("--max-per-ip" in formatEvent(e) for e in events) is warned
