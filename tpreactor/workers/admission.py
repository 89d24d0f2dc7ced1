# -*- test-case-name: tests.test_workers_admission -*-
"""
C{--max-connections} and C{--max-per-ip} for the whole server when the
clients are spread over workers: the main process counts every worker's
clients (L{Gate}), and a worker serves a client only once the main process
admits it (L{admittedByMain}). Without those options nothing is asked: each
worker keeps only its own open-file bound. Likewise the clients PROXY
headers claim are the whole server's (L{ClaimsOfMain}): a worker asks for
each proxied connection, and only for those.
"""

from twisted.internet import defer

from ..protocol import FULL, SHUTDOWN
from .commands import Admit, Claim, Left, Unclaim


class Gate:
    """
    The main process's count of admitted clients, by worker and by host.

    @ivar maxConnections: most clients in the whole server (0: no limit).
    @ivar maxPerIp: most clients from one address (0: no limit).
    """

    def __init__(self, maxConnections, maxPerIp):
        self.maxConnections = maxConnections
        self.maxPerIp = maxPerIp
        self.total = 0
        self.perIp = {}
        self._byWorker = {}

    def admit(self, worker, host):
        """
        Count a client of C{worker} from C{host} if there is room: whether
        it may be served.
        """
        if self.maxConnections and self.total >= self.maxConnections:
            return False
        if self.maxPerIp and self.perIp.get(host, 0) >= self.maxPerIp:
            return False
        self.total += 1
        self.perIp[host] = self.perIp.get(host, 0) + 1
        hosts = self._byWorker.setdefault(worker, {})
        hosts[host] = hosts.get(host, 0) + 1
        return True

    def left(self, worker, host):
        """
        A client of C{worker} from C{host} is gone.
        """
        hosts = self._byWorker.get(worker, {})
        if not hosts.get(host):
            return
        self._forget(hosts, host, 1)

    def workerGone(self, worker):
        """
        C{worker} ended: its clients went with it.
        """
        hosts = self._byWorker.pop(worker, {})
        for host, count in list(hosts.items()):
            self._forget(hosts, host, count)

    def _forget(self, hosts, host, count):
        self.total -= count
        hosts[host] -= count
        if not hosts[host]:
            del hosts[host]
        self.perIp[host] -= count
        if not self.perIp[host]:
            del self.perIp[host]


def admittedByMain(factoryClass):
    """
    A subclass of the mode's factory class whose clients wait, unwelcomed,
    until the main process admits them (over C{gate}, an AMP connection);
    a client it refuses gets the server-full line, as in one process.
    """

    class AdmittedByMain(factoryClass):
        #: The AMP connection to the main process (set by the worker).
        gate = None

        def __init__(self, *args, **kwargs):
            factoryClass.__init__(self, *args, **kwargs)
            self._admitted = set()

        def admit(self, protocol):
            protocol.hold()
            d = self.gate.callRemote(Admit, host=protocol.peer.host)
            d.addCallbacks(lambda answer: answer["admitted"], lambda failure: False)
            d.addCallback(self._answered, protocol)

        def _answered(self, admitted, protocol):
            if admitted and protocol not in self.connections:  # gone meanwhile
                self._left(protocol)
                return
            if not admitted:
                protocol.closeByServer(FULL, atOnce=True)
                return
            self._admitted.add(protocol)
            if self.closing:
                protocol.closeByServer(SHUTDOWN, atOnce=True)
            else:
                factoryClass.admit(self, protocol)

        def connectionClosed(self, protocol):
            if protocol in self._admitted:
                self._admitted.discard(protocol)
                self._left(protocol)
            factoryClass.connectionClosed(self, protocol)

        def _left(self, protocol):
            self.gate.callRemote(Left, host=protocol.peer.host)

    AdmittedByMain.__name__ = AdmittedByMain.__qualname__ = f"AdmittedByMain{factoryClass.__name__}"
    return AdmittedByMain


class ClaimsOfMain:
    """
    A worker's claims of proxied clients (see L{tpreactor.proxy._trust.Claims}),
    kept by the main process for every worker: one round trip per proxied
    connection.

    @ivar amp: the worker's AMP connection to the main process.
    """

    def __init__(self, amp):
        self.amp = amp

    def claim(self, peer, owner=None):
        """
        A Deferred: whether C{peer} was free (and is now this worker's). With
        the main process gone nobody can tell, and the worker is stopping:
        it is taken as free.
        """
        d = defer.maybeDeferred(self.amp.callRemote, Claim, peer=peer)
        return d.addCallbacks(lambda answer: answer["free"], lambda failure: True)

    def release(self, peer, owner=None):
        defer.maybeDeferred(self.amp.callRemote, Unclaim, peer=peer).addErrback(lambda failure: None)
