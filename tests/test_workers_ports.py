"""
The listening sockets a worker adopts: which endpoints can be shared, the
wrappers (haproxy:) applied to the worker's factory, and one worker woken
per connection.
"""

import select
import socket

from twisted.internet.testing import MemoryReactor
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tpreactor.workers.ports import endpointKind, shareable, wakeAlone, wrapFactory


class FakePort:
    def __init__(self, fd):
        self.fd = fd
        self.reads = 0

    def fileno(self):
        return self.fd

    def doRead(self):
        self.reads += 1


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

    def test_otherReactors(self):
        """
        Another reactor is left as it is.
        """
        self.assertFalse(wakeAlone(MemoryReactor(), FakePort(0)))
