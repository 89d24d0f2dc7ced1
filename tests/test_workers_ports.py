"""
The listening sockets a worker adopts: which endpoints can be shared, the
wrappers (haproxy:) applied to the worker's factory, and one worker woken
per connection: on a real epoll in this process, and with two processes
running Twisted's epoll reactor on one socket.
"""

import os
import select
import socket
import subprocess
import sys

from twisted.internet.address import IPv4Address
from twisted.internet.testing import MemoryReactor
from twisted.logger import capturedLogs
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tpreactor.messages import catalogue
from tpreactor.workers.ports import endpointKind, shareable, wakeAlone, wrapFactory

from .shutdownfakes import messages
from .support import LineClient, until


class FakePort:
    def __init__(self, fd):
        self.fd = fd
        self.reads = 0

    def fileno(self):
        return self.fd

    def getHost(self):
        return IPv4Address("TCP", "127.0.0.1", 6667)

    def doRead(self):
        self.reads += 1


#: A process that shares the listening socket on descriptor argv[1], as a
#: worker does: Twisted's epoll reactor adopts it, wakeAlone registers it,
#: and each client is told argv[2]. It says whether the registration is
#: exclusive (one that is cannot be modified), then serves until killed.
SHARING = """
import os, select, socket, sys
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol
from tpreactor.workers.ports import wakeAlone

fd, name = int(sys.argv[1]), sys.argv[2].encode()

class Name(Protocol):
    def connectionMade(self):
        self.transport.write(name + b"\\n")
        self.transport.loseConnection()

port = reactor.adoptStreamPort(fd, socket.AF_INET, Factory.forProtocol(Name))
os.close(fd)
flagged = wakeAlone(reactor, port)
try:
    reactor._poller.modify(port.fileno(), select.EPOLLIN | select.EPOLLOUT)
    exclusive = False
except OSError:
    exclusive = True
print("ready", flagged, exclusive, flush=True)
reactor.callLater(60, reactor.stop)
reactor.run()
"""

#: Clients connected one after the other to the shared socket.
ONE_BY_ONE = 20


def waiting(pid):
    """
    Whether process C{pid} sleeps in epoll_wait.
    """
    with open(f"/proc/{pid}/wchan") as wchan:
        return wchan.read() == "do_epoll_wait"


class TwoProcessesTests(SynchronousTestCase):
    def test_bothAccept(self):
        """
        Two processes running Twisted's epoll reactor on one listening
        socket both register it with EPOLLEXCLUSIVE and both accept: idle,
        they take turns, one connection each, strictly.
        """
        if not hasattr(select, "EPOLLEXCLUSIVE"):
            raise SkipTest("no EPOLLEXCLUSIVE here (Linux 4.5 and later)")
        listening = socket.socket()
        self.addCleanup(listening.close)
        listening.bind(("127.0.0.1", 0))
        listening.listen(50)
        listening.setblocking(False)  # as Twisted's own listening sockets are
        processes = []
        for name in ("uno", "dos"):
            process = subprocess.Popen([sys.executable, "-c", SHARING, str(listening.fileno()), name],
                                       pass_fds=[listening.fileno()], stdout=subprocess.PIPE, text=True)
            self.addCleanup(process.wait)
            self.addCleanup(process.kill)
            processes.append(process)
        for process in processes:
            self.assertEqual(process.stdout.readline().split(), ["ready", "True", "True"])
        names = []
        for _ in range(ONE_BY_ONE):
            # Both idle: the kernel wakes the first of its waiters, which the last to accept is not.
            until(lambda: all(waiting(p.pid) for p in processes), "both processes waiting in epoll")
            with LineClient(listening.getsockname()[1]) as client:
                names.append(client.line())
                self.assertIsNone(client.line())
        self.assertEqual(names, ["uno", "dos"] * (ONE_BY_ONE // 2) if names[0] == "uno" else
                         ["dos", "uno"] * (ONE_BY_ONE // 2))


class EndpointTests(SynchronousTestCase):
    def test_kinds(self):
        """
        tcp, tcp6 and unix sockets are shared, through haproxy: too; ssl is not.
        """
        self.assertEqual(endpointKind("haproxy:tcp6:7000"), "tcp6")
        self.assertEqual([shareable(d) for d in ("tcp:1", "tcp6:1", "unix:/x", "haproxy:tcp:1", "ssl:1")],
                         [True, True, True, True, False])

    def test_wrappers(self):
        """
        A haproxy: endpoint's factory reads the PROXY header first; a plain one is the factory itself.
        """
        factory = object()
        self.assertIs(wrapFactory(MemoryReactor(), "tcp:7000", factory), factory)
        wrapped = wrapFactory(MemoryReactor(), "haproxy:tcp:7000", factory)
        self.assertIsNot(wrapped, factory)
        self.assertIs(wrapped.wrappedFactory, factory)


class WakeAloneTests(SynchronousTestCase):
    def epollReactor(self):
        """
        A reactor with a real epoll that reads one socket, and a port on it.
        """
        if not hasattr(select, "EPOLLEXCLUSIVE"):
            raise SkipTest("no EPOLLEXCLUSIVE here (Linux 4.5 and later)")
        reactor = MemoryReactor()
        reactor._poller = select.epoll()
        self.addCleanup(reactor._poller.close)
        sock = socket.socket()
        self.addCleanup(sock.close)
        fd = sock.fileno()
        reactor._poller.register(fd, select.EPOLLIN)
        reactor._reads = {fd}
        return reactor, fd, FakePort(fd)

    def test_exclusive(self):
        """
        On Linux's epoll the shared socket is registered again with EPOLLEXCLUSIVE.
        """
        reactor, fd, port = self.epollReactor()
        self.assertTrue(wakeAlone(reactor, port))
        # An exclusive registration cannot be modified: the proof that it is one.
        self.assertRaises(OSError, reactor._poller.modify, fd, select.EPOLLIN | select.EPOLLOUT)
        port.doRead()
        self.assertEqual(port.reads, 1)
        self.assertRaises(OSError, reactor._poller.modify, fd, select.EPOLLIN | select.EPOLLOUT)

    def test_pausedStaysPaused(self):
        """
        A port that stopped reading while it accepted is not registered again.
        """
        reactor, fd, port = self.epollReactor()
        wakeAlone(reactor, port)
        reactor._poller.unregister(fd)
        reactor._reads.clear()
        port.doRead()
        self.assertRaises(FileNotFoundError, reactor._poller.unregister, fd)

    def test_refusedFirstRegistrationFallsBack(self):
        """
        When the socket cannot be registered with EPOLLEXCLUSIVE at all (the
        kernel refuses it for an epoll descriptor: EINVAL), it is registered
        without it, still watched, with one console line.
        """
        reactor, fd, _ = self.epollReactor()
        nested = self.readableEpoll()
        reactor._poller.unregister(fd)
        reactor._poller.register(nested.fileno(), select.EPOLLIN)
        reactor._reads = {nested.fileno()}
        with capturedLogs() as events:
            self.assertFalse(wakeAlone(reactor, FakePort(nested.fileno()), catalogue("en")))
        self.assertEqual(messages(events), [
            "127.0.0.1:6667 is watched without EPOLLEXCLUSIVE (Invalid argument): every connection wakes every "
            "worker process."
        ])
        self.assertEqual(reactor._poller.poll(0), [(nested.fileno(), select.EPOLLIN)])
        reactor._poller.modify(nested.fileno(), select.EPOLLIN)  # a plain registration: it can be modified

    def test_refusedReRegistrationFallsBack(self):
        """
        A re-registration the kernel refuses after an accept (here the
        descriptor has become an epoll's: EINVAL) registers it again without
        the flag, so it stays watched, says so once, and is not registered
        again after later accepts.
        """
        reactor, fd, port = self.epollReactor()
        self.assertTrue(wakeAlone(reactor, port, catalogue("es")))
        nested = self.readableEpoll()
        os.dup2(nested.fileno(), fd)
        with capturedLogs() as events:
            port.doRead()
            port.doRead()
        self.assertEqual(port.reads, 2)
        self.assertEqual(messages(events), [
            "127.0.0.1:6667 se vigila sin EPOLLEXCLUSIVE (Invalid argument): cada conexión despierta a todos los "
            "procesos trabajadores."
        ])
        self.assertEqual(reactor._poller.poll(0), [(fd, select.EPOLLIN)])

    def readableEpoll(self):
        """
        An epoll that is readable: it watches a pipe with a byte in it.
        """
        nested = select.epoll()
        self.addCleanup(nested.close)
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        nested.register(r, select.EPOLLIN)
        os.write(w, b"x")
        return nested

    def test_otherReactors(self):
        """
        Another reactor is left as it is.
        """
        self.assertFalse(wakeAlone(MemoryReactor(), FakePort(0)))
