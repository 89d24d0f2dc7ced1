"""
End to end: a client of a real `twistd -n tpreactor` that floods slow work,
reads nothing and resets is noticed while its reading is paused, and a
SIGTERM afterwards stops the server cleanly.
"""

import re
import signal
import socket
import struct
import time

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.replies import MAX_QUEUED
from tpreactor.resets import PROBE_SECONDS
from tpreactor.shutdown.graceful import POOL_STOP_SECONDS

from .support import ServerProcess

#: Work far longer than the grace period: the reply to the message in the
#: pool, which would reveal the reset, comes too late to help.
WORK_SECONDS = 20.0
GRACE_SECONDS = 2.0
NOTICE_SECONDS = 5 * PROBE_SECONDS
#: Time for twistd to stop once the grace period and the pool's wait are over.
SLACK_SECONDS = 3.0


class DeadPeerTests(SynchronousTestCase):
    def test_sigtermAfterAResetWhilePaused(self):
        """
        A client that resets behind MAX_QUEUED messages is said to have
        disconnected within a few probe periods, and a SIGTERM then finds no
        connection open and exits 0, nothing cut.
        """
        with ServerProcess("--work", f"{WORK_SECONDS:g}", "--grace", f"{GRACE_SECONDS:g}") as server:
            client = socket.create_connection(("127.0.0.1", server.port))
            port = client.getsockname()[1]
            client.sendall(b"".join(b"m%d\n" % i for i in range(100)))
            # One message in the pool and MAX_QUEUED queued: reading pauses.
            server.waitFor(re.compile(rf"Mensaje recibido de 127\.0\.0\.1:{port}: m{MAX_QUEUED}$", re.M))
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            server.waitFor(f"Cliente 127.0.0.1:{port} se desconectó.", deadline=NOTICE_SECONDS)
            began = time.monotonic()
            server.signal(signal.SIGTERM)
            status = server.wait()
            elapsed = time.monotonic() - began
            text = server.text
        self.assertEqual(status, 0, text)
        self.assertIn("Conexiones abiertas: 0 (en espera: 0); mensajes sin responder: 0", text)
        self.assertNotIn(f"Mensaje recibido de 127.0.0.1:{port}: m{MAX_QUEUED + 1}\n", text)
        self.assertNotIn("Traceback", text)
        self.assertLess(elapsed, max(GRACE_SECONDS, POOL_STOP_SECONDS) + SLACK_SECONDS, text)
