"""
End to end: the status endpoint of a real `twistd -n tpreactor` attacked
the ways it was once taken down or read (slow connections under a low
open-file limit, pipelined requests never read, a huge body, a foreign
Host, no credentials), and the start that cannot listen on it. Loopback
only; every attack bounded in count and time.
"""

import http.client
import json
import os
import re
import socket
import stat

import psutil
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS, HEADERS_SECONDS

from . import contract
from .support import DEADLINE_SECONDS, LineClient, ServerProcess, freePort, temporaryFolder, until
from .test_e2e_openfiles import burst, limitedServer
from .test_e2e_status import STATUS_LINE, run
from .test_status_auth import passwordFile

WELCOME = contract.WELCOME.encode()
LISTENING = re.compile(r"escuchando en|listening on")


def request(port, path="/status.json", host=None, headers=(), method="GET", body=None, auth=None):
    """
    One HTTP request to 127.0.0.1:C{port}: (status, headers, body).
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        if auth is not None:
            import base64

            connection.putheader("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def statusConnections(server, port):
    """
    How many connections to its status port the server holds open.
    """
    return sum(1 for c in psutil.Process(server.proc.pid).net_connections("tcp") if c.laddr.port == port and c.raddr)


def rss(server):
    return psutil.Process(server.proc.pid).memory_info().rss


def statusServer(*args, port=None):
    port = port or freePort()
    return ServerProcess("--status", f"tcp:{port}:interface=127.0.0.1", *args), port


class GuestTests(SynchronousTestCase):
    def test_slowFloodUnderALowLimit(self):
        """
        Under ulimit -n 200, 150 status connections that send their headers a byte at a time take at most 64 descriptors (the rest are closed at once) and hold them no longer than the header deadline; meanwhile every line client gets its welcome.
        """
        statusPort = freePort()
        server = limitedServer(200, "--status", f"tcp:{statusPort}:interface=127.0.0.1")
        with server:
            server.waitFor(STATUS_LINE)
            slow = []
            for _ in range(150):
                sock = socket.create_connection(("127.0.0.1", statusPort))
                sock.sendall(b"G")
                slow.append(sock)
            answers = burst(server.port, 20)
            self.assertTrue(all(a and a.startswith(WELCOME) for a in answers), answers)

            def closed(sock):
                sock.settimeout(0)
                try:
                    return sock.recv(1) == b""
                except BlockingIOError:
                    return False
                except OSError:
                    return True

            self.assertLessEqual(statusConnections(server, statusPort), DEFAULT_MAX_CONNECTIONS)
            until(lambda: all(closed(s) for s in slow), "the slow status connections closed",
                  HEADERS_SECONDS + DEADLINE_SECONDS)
            self.assertLessEqual(statusConnections(server, statusPort), DEFAULT_MAX_CONNECTIONS)
            for sock in slow:
                sock.close()
            self.assertEqual(request(statusPort, "/healthz")[0], 200)
            self.assertNotIn("Traceback", server.text)

    def test_pipelinedNeverRead(self):
        """
        Twenty connections that each send 200 pipelined requests for a large /status.json and never read leave the server's memory within a few MB of where it was.
        """
        server, statusPort = statusServer()
        with server:
            clients = [LineClient(server.port) for _ in range(100)]
            for client in clients:
                client.line()
                client.send("x" * 300 + "\n")
                client.line()
            size = len(request(statusPort)[2])
            self.assertGreater(size, 30_000)
            before = rss(server)
            attackers = []
            for _ in range(20):
                sock = socket.create_connection(("127.0.0.1", statusPort))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(b"GET /status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 200)
                attackers.append(sock)
            # Every attacker is answered as far as it can be before the status answers again.
            for _ in range(3):
                self.assertEqual(request(statusPort, "/healthz")[0], 200)
            grown = rss(server) - before
            self.assertLess(grown, 8 * 2**20, f"{grown / 2**20:.1f} MB for responses nobody reads")
            for sock in attackers:
                sock.close()
            for client in clients:
                client.close()

    def test_hugeBodyNotRead(self):
        """
        A POST announcing 50 MB is answered 405 as soon as its headers arrive, before any body is sent, and the server keeps no file for it.
        """
        folder = temporaryFolder(self)
        statusPort = freePort()
        with ServerProcess("--status", f"tcp:{statusPort}:interface=127.0.0.1", env={"TMPDIR": folder}) as server:
            server.waitFor(STATUS_LINE)
            sock = socket.create_connection(("127.0.0.1", statusPort), timeout=DEADLINE_SECONDS)
            sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50000000\r\n\r\n")
            answer = sock.recv(4096)
            self.assertTrue(answer.startswith(b"HTTP/1.1 405 "), answer)
            with self.assertRaises(OSError):
                for _ in range(2000):  # 50 MB, refused long before
                    sock.sendall(b"x" * 25000)
            sock.close()
            files = [f.path for f in psutil.Process(server.proc.pid).open_files()]
            self.assertEqual([f for f in files if f.startswith(folder)], [])
            self.assertEqual(os.listdir(folder), [])

    def test_foreignHost(self):
        """
        A request whose Host is another name (a DNS rebinding page's) gets 421 and no server data; localhost gets the status.
        """
        server, statusPort = statusServer()
        with server:
            with LineClient(server.port) as client:
                client.line()
                code, _, body = request(statusPort, host=f"attacker.example:{statusPort}")
                self.assertEqual(code, 421)
                self.assertNotIn(b"127.0.0.1", body)
                code, _, body = request(statusPort, host=f"localhost:{statusPort}")
                self.assertEqual(code, 200)
                self.assertEqual(len(json.loads(body)["clients"]), 1)

    def test_credentials(self):
        """
        With --status-auth, the status asks for HTTP Basic credentials and serves them who give the right ones; /healthz stays open.
        """
        path = passwordFile(self, ("ana", "secreto"))
        server, statusPort = statusServer("--status-auth", path)
        with server:
            server.waitFor(STATUS_LINE)
            code, headers, _ = request(statusPort)
            self.assertEqual(code, 401)
            self.assertTrue(headers["WWW-Authenticate"].lower().startswith("basic"))
            self.assertEqual(request(statusPort, auth="ana:mal")[0], 401)
            self.assertEqual(request(statusPort, auth="ana:secreto")[0], 200)
            self.assertEqual(request(statusPort, "/healthz")[0], 200)
            self.assertNotIn("Atención: la página de estado", server.text)

    def test_exposedWarned(self):
        """
        A status endpoint on every interface without --status-auth is warned about at start, in one line.
        """
        statusPort = freePort()
        with ServerProcess("--status", f"tcp:{statusPort}") as server:
            server.waitFor("Página de estado:")
            warning = server.waitFor(re.compile(r"\[tpreactor#warn\] (Atención: la página de estado .*)")).group(1)
            self.assertIn(f"0.0.0.0:{statusPort}", warning)
            self.assertIn("--status-auth", warning)

    def test_unixSocketOwnerOnly(self):
        """
        A unix status socket is created mode 0600 and serves the status.
        """
        path = os.path.join(temporaryFolder(self), "status.sock")
        with ServerProcess("--status", f"unix:{path}") as server:
            server.waitFor("Página de estado: unix:")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(DEADLINE_SECONDS)
            sock.connect(path)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 200 "))
            sock.close()


class FailedStartTests(SynchronousTestCase):
    def test_portTaken(self):
        """
        A status port already taken ends the start in one line, before the server says it listens.
        """
        with ServerProcess() as other:
            result = run("--port", "0", "--status", str(other.port))
            output = result.stdout + result.stderr
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("no se puede escuchar en --status", output)
            self.assertIsNone(LISTENING.search(output), output)
            self.assertNotIn("Traceback", output)

    def test_portOutOfRange(self):
        """
        A status port out of range is a usage error: one line, nothing listens.
        """
        result = run("--port", "0", "--status", "tcp:99999")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.splitlines()[0],
                         "tpreactor: --status: endpoint incorrecto 'tcp:99999': el puerto debe estar entre 0 y 65535")
        self.assertIsNone(LISTENING.search(result.stdout + result.stderr))
