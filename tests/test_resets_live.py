"""
A client that resets while its reading is paused, over real loopback
sockets in this process (TCP and TLS): the server notices within a bounded
time and drops the client's work (the in-memory tests are in
L{tests.test_resets}).
"""

import os

import trustme
from twisted.internet import defer, reactor, ssl, task
from twisted.internet.endpoints import TCP4ClientEndpoint, wrapClientTLS
from twisted.logger import formatEvent, globalLogPublisher
from twisted.trial.unittest import TestCase

from tpreactor.replies import MAX_QUEUED
from tpreactor.resets import PROBE_SECONDS

from .memory import ManualExecutor
from .support import temporaryFolder
from .twistedclient import connect, startServer

#: The longest the server may take to notice the reset: a few probe periods.
NOTICE_SECONDS = 5 * PROBE_SECONDS
POLL_SECONDS = 0.02


@defer.inlineCallbacks
def until(condition, seconds, what):
    """
    Wait until C{condition()} is true, checking every L{POLL_SECONDS}; fail
    saying C{what} did not happen if it is still false after C{seconds}.
    """
    deadline = reactor.seconds() + seconds
    while not condition():
        if reactor.seconds() > deadline:
            raise AssertionError(f"{what} not within {seconds:g}s")
        yield task.deferLater(reactor, POLL_SECONDS, lambda: None)


class PausedResetTests(TestCase):
    def setUp(self):
        self.events = []
        globalLogPublisher.addObserver(self.events.append)
        self.addCleanup(globalLogPublisher.removeObserver, self.events.append)

    def startServer(self, **kwargs):
        """
        A server whose work runs only when the test says (never, here).
        """
        self.executor = ManualExecutor()
        server = startServer("reactor", factoryHook=lambda f: setattr(f, "executor", self.executor), **kwargs)
        self.addCleanup(server.stopService)
        return server

    @defer.inlineCallbacks
    def floodThenReset(self, server, endpoint=None):
        """
        A client sends 100 lines and reads nothing; once the server stopped
        reading it (one message in the pool, MAX_QUEUED queued), it resets.
        The server must close it within L{NOTICE_SECONDS}.
        """
        client = yield connect(server.port, endpoint)
        yield client.line()
        client.send(b"".join(b"m%d\n" % i for i in range(100)))
        yield until(lambda: len(server.factory.connections) == 1, NOTICE_SECONDS, "the connection")
        (protocol,) = server.factory.connections
        yield until(lambda: protocol.paused and protocol.pending == MAX_QUEUED, NOTICE_SECONDS, "the pause")
        self.assertEqual(self.executor.readyProtocols, [protocol])
        inPool = protocol.takeBatch(1)
        self.assertEqual(protocol.pending, MAX_QUEUED)
        port = protocol.peer.port
        client.transport.abortConnection()  # SO_LINGER 0 and close: a reset
        yield client.closed
        yield until(lambda: protocol.closed, NOTICE_SECONDS, "noticing the reset")
        self.assertEqual((protocol.pending, protocol.takeBatch(64)), (0, []))
        protocol.batchDone([None] * len(inPool))  # the pool's answer, for nobody
        self.assertEqual(protocol.messages, 0)
        self.assertEqual(server.factory.connections, {})
        lines = [formatEvent(e) for e in self.events]
        self.assertIn(f"Cliente 127.0.0.1:{port} se desconectó.", lines)

    def test_resetWhileWorkIsBackedUp(self):
        """
        Over TCP, a client that resets while its work is backed up is closed
        within a few probe periods, its queued work dropped.
        """
        return self.floodThenReset(self.startServer())

    def test_resetOverTLS(self):
        """
        Over TLS the reset is noticed too: the socket is found under the TLS
        transport.
        """
        folder = temporaryFolder(self)
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        key, chain = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
        cert.private_key_pem.write_to_path(key)
        cert.cert_chain_pems[0].write_to_path(chain)
        server = self.startServer(endpoint=f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={chain}")
        trust = ssl.Certificate.loadPEM(ca.cert_pem.bytes())
        endpoint = wrapClientTLS(
            ssl.optionsForClientTLS("localhost", trust), TCP4ClientEndpoint(reactor, "127.0.0.1", server.port)
        )
        return self.floodThenReset(server, endpoint)
