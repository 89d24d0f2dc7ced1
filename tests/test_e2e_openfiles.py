"""
End to end: `twistd -n tpreactor` under a low open-file limit, and a burst
of loopback clients far past it. Every client is welcomed or told that the
server is full; none is closed without a word (Twisted's EMFILE recovery).
"""

import selectors
import socket
import sys
import time

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.openfiles import DESCRIPTOR_MARGIN, servedWithin

from . import contract
from .support import DEADLINE_SECONDS, ServerProcess

WELCOME = contract.WELCOME.encode()
FULL = (contract.FULL + "\n").encode()
#: The server's open-file limit, soft and hard: it cannot raise it.
OPEN_FILES = 100
#: Three times the limit, all at once.
BURST = 3 * OPEN_FILES

#: Run in the child: lower the open-file limit, then exec the program (no
#: preexec_fn: this process may have threads).
LIMITED = (
    "import os, resource, sys; n = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])"
)


def limitedServer(openFiles, *args):
    """
    A L{ServerProcess} whose open-file limit is C{openFiles}.
    """
    server = ServerProcess(*args)
    server.args = [sys.executable, "-c", LIMITED, str(openFiles), *server.args]
    return server


def burst(port, count, deadline=DEADLINE_SECONDS):
    """
    Connect C{count} clients at once and return what each one received up
    to its first newline or the close (C{None} for no answer by the deadline).
    The sockets stay open until all have answered, so that the welcomed
    ones keep their descriptors on the server.
    """
    selector = selectors.DefaultSelector()
    socks = []
    received = {}
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.setblocking(False)
            socks.append(sock)
            sock.connect_ex(("127.0.0.1", port))
            selector.register(sock, selectors.EVENT_READ, b"")
        end = time.monotonic() + deadline
        while selector.get_map() and time.monotonic() < end:
            for key, _ in selector.select(0.1):
                try:
                    chunk = key.fileobj.recv(4096)
                except OSError:  # reset
                    chunk = b""
                data = key.data + chunk
                if chunk and b"\n" not in data:
                    selector.modify(key.fileobj, selectors.EVENT_READ, data)
                    continue
                received[key.fileobj] = data
                selector.unregister(key.fileobj)
        return [received.get(sock) for sock in socks]
    finally:
        selector.close()
        for sock in socks:
            sock.close()


class OpenFileLimitTests(SynchronousTestCase):
    def test_burstPastTheLimit(self):
        """
        Three times the open-file limit connecting at once: as many as the
        limit serves are welcomed, every other one gets the server-full line,
        and none gets a bare close.
        """
        with limitedServer(OPEN_FILES) as server:
            answers = burst(server.port, BURST)
            server.read(0.2)
            text = server.text
        welcomed = [a for a in answers if a is not None and a.startswith(WELCOME)]
        refused = [a for a in answers if a == FULL]
        others = [a for a in answers if a not in welcomed and a not in refused]
        self.assertEqual(others, [])
        self.assertEqual(len(welcomed), servedWithin(OPEN_FILES - DESCRIPTOR_MARGIN))
        self.assertEqual(len(refused), BURST - len(welcomed))
        self.assertNotIn("EMFILE", text)
        self.assertNotIn("Traceback", text)

    def test_maxConnectionsPastTheLimit(self):
        """
        A C{--max-connections} the open-file limit cannot serve is warned
        about at start, in the server's language, and a burst past it is
        still welcomed or refused with a line.
        """
        with limitedServer(OPEN_FILES, "--max-connections", "500", "--lang", "en") as server:
            served = servedWithin(OPEN_FILES - DESCRIPTOR_MARGIN)
            server.waitFor(
                "Warning: the open-file limit (ulimit -n) is too low for --max-connections 500: "
                f"at most {served} clients are served at once."
            )
            answers = burst(server.port, BURST)
        welcomed = [a for a in answers if a is not None and a.startswith(b"Server: Connection established on")]
        refused = [a for a in answers if a == b"Server: Server full, try again later.\n"]
        self.assertEqual((len(welcomed), len(refused)), (served, BURST - served))
