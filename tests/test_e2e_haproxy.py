"""
End to end: the real HAProxy, run with deploy/haproxy.cfg (on free loopback
ports), in front of two `twistd -n tpreactor` on 127.0.0.2 and 127.0.0.3
standing in for two hosts: the clients' own addresses reach the servers,
the health checks are no clients, and a server stopped with SIGTERM drains
while the other keeps serving.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from .contract import CLOSED, REPLY, WELCOME
from .support import DEADLINE_SECONDS, TWISTD, LineClient, ServerProcess, temporaryFolder, until

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "haproxy.cfg"
HOSTS = {"a": "127.0.0.2", "b": "127.0.0.3"}
#: What HAProxy's stats call a server whose last health check connected.
CHECK_PASSED = "L4OK"


def haproxyBinary():
    """
    The haproxy program, or a skip that says why there is none.
    """
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.access(p, os.X_OK)), None)
    if found is None:
        raise SkipTest(
            "haproxy is not installed and could not be (.ci/run installs it: "
            "apt-get install -y haproxy); the HAProxy end-to-end tests cannot run"
        )
    return found


def freePortOn(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def configFor(folder, front, servers):
    """
    deploy/haproxy.cfg with its ports, and its stats socket, moved to
    C{front}, C{servers} (name -> port) and C{folder}: nothing else changes.
    """
    text = CONFIG.read_text()
    changes = [
        (r"(stats socket )\S+", rf"\g<1>{folder}/haproxy.sock"),
        (r"(bind 127\.0\.0\.1:)6667\b", rf"\g<1>{front}"),
    ] + [(rf"(server {name} {re.escape(HOSTS[name])}:)6667\b", rf"\g<1>{port}") for name, port in servers.items()]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"deploy/haproxy.cfg has no one {pattern!r}"
    path = Path(folder) / "haproxy.cfg"
    path.write_text(text)
    return path


class Instance(ServerProcess):
    """
    `twistd -n tpreactor` listening with the PROXY protocol on C{host} only.
    """

    def __init__(self, host, *args):
        ServerProcess.__init__(self, port=freePortOn(host))
        self.host = host
        self.args = [TWISTD, "--pidfile=", "-n", "tpreactor",
                     "--listen", f"haproxy:tcp:{self.port}:interface={host}", *args]

    def refusing(self):
        """
        Whether its listening socket is closed.
        """
        try:
            socket.create_connection((self.host, self.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        return False


class HAProxy:
    """
    haproxy in the foreground with C{config}, asked about its servers over
    its stats socket.
    """

    def __init__(self, folder, config):
        self.socket = str(Path(folder) / "haproxy.sock")
        self.log = open(Path(folder) / "haproxy.log", "w+b")
        self.proc = subprocess.Popen([haproxyBinary(), "-db", "-f", str(config)],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def servers(self):
        """
        Each server's (status, last check) from C{show stat}; {} while
        haproxy is not answering yet.
        """
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(DEADLINE_SECONDS)
                s.connect(self.socket)
                s.sendall(b"show stat\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except (FileNotFoundError, ConnectionRefusedError):
            return {}
        rows = [line.split(",") for line in data.decode().splitlines() if line and not line.startswith("#")]
        fields = data.decode().splitlines()[0].lstrip("# ").split(",")
        status, check = fields.index("status"), fields.index("check_status")
        return {row[1]: (row[status], row[check]) for row in rows if row[1] in HOSTS}

    def waitUntil(self, predicate, what, deadline=DEADLINE_SECONDS):
        try:
            until(lambda: predicate(self.servers()) or self.proc.poll() is not None, what, deadline)
            if not predicate(self.servers()):
                raise AssertionError(f"haproxy exited ({self.proc.returncode})")
        except AssertionError as e:
            self.log.seek(0)
            raise AssertionError(f"haproxy: no {what} ({e}): {self.servers()}\n{self.log.read().decode()}") from None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class HAProxyTests(SynchronousTestCase):
    def setUp(self):
        haproxyBinary()

    def frontOf(self, *args):
        """
        Two instances (with C{args}) behind HAProxy, both checked up; the
        port HAProxy takes clients on.
        """
        folder = temporaryFolder(self)
        self.instances = {name: Instance(host, *args) for name, host in HOSTS.items()}
        for instance in self.instances.values():
            instance.start()
            self.addCleanup(instance.stop)
        front = freePortOn("127.0.0.1")
        config = configFor(folder, front, {name: i.port for name, i in self.instances.items()})
        self.haproxy = HAProxy(folder, config)
        self.addCleanup(self.haproxy.stop)
        self.haproxy.waitUntil(
            lambda servers: len(servers) == 2 and all(v == ("UP", CHECK_PASSED) for v in servers.values()),
            "health checks passed on both servers",
        )
        return front

    def client(self, front):
        client = LineClient(front)
        self.addCleanup(client.close)
        assert client.line().startswith(WELCOME)
        return client

    def placeOf(self, client):
        """
        The name of the instance that welcomed C{client}, by the client's
        own address on its console.
        """
        line = f"Conexión establecida con IP: 127.0.0.1 y Puerto: {client.localPort}\n"

        def found():
            return [name for name, instance in self.instances.items() if line in instance.text]

        until(found, f"an instance logging {line!r}")
        return found()[0]

    def test_clientsAndChecks(self):
        """
        Health checks pass without a word on either server's console, and
        the clients, spread over both, are welcomed and logged by their own
        address and port, and answered after they half-close.
        """
        front = self.frontOf()  # both up: each has passed at least two checks
        clients = [self.client(front) for _ in range(4)]
        assert sorted(self.placeOf(c) for c in clients) == ["a", "a", "b", "b"]
        # A server logs in order, so whatever the checks made it say stands
        # before its first client's line: only the listening line may.
        for instance in self.instances.values():
            lines = [line for line in instance.text.splitlines() if "[tpreactor#" in line]
            first = next(i for i, line in enumerate(lines) if "Conexión establecida" in line)
            assert first == 1 and "escuchando en" in lines[0], instance.text
        for client in clients:
            assert client.ask("hola").startswith(REPLY)
            self.instances[self.placeOf(client)].waitFor(f"Mensaje recibido de 127.0.0.1:{client.localPort}: hola")
        last = clients[-1]
        last.send("chau\n")
        last.sock.shutdown(socket.SHUT_WR)  # HAProxy passes the half-close on
        assert last.line().startswith(REPLY) and last.line() is None
        for instance in self.instances.values():
            assert "Traceback" not in instance.text and "cerrada:" not in instance.text, instance.text

    def test_drainOnSigterm(self):
        """
        SIGTERM to one server: its clients get their replies and the closing
        line, it exits 0, HAProxy sends the new clients to the other one and
        marks it down, and the other one's clients are served throughout.
        """
        front = self.frontOf("--work", "0.3")
        clients = [self.client(front) for _ in range(4)]
        places = [self.placeOf(c) for c in clients]
        onA = [c for c, place in zip(clients, places) if place == "a"]
        onB = [c for c, place in zip(clients, places) if place == "b"]
        assert len(onA) == len(onB) == 2, places
        a, b = self.instances["a"], self.instances["b"]
        for client in onA:
            client.send("uno\ndos\n")
        a.signal(signal.SIGTERM)
        a.waitFor("Cierre ordenado: no se aceptan conexiones nuevas.")
        until(a.refusing, "instance a refusing new clients")
        newcomers = [self.client(front) for _ in range(3)]
        assert [self.placeOf(c) for c in newcomers] == ["b"] * 3
        for client in onA:
            lines = [client.line() for _ in range(4)]
            assert [line[:len(REPLY)] for line in lines[:2]] == [REPLY, REPLY] and lines[2:] == [CLOSED, None], lines
        assert a.wait() == 0, a.text
        for client in onB + newcomers:
            assert client.ask("hola").startswith(REPLY)
        self.haproxy.waitUntil(lambda servers: servers.get("a", ("",))[0] == "DOWN", "server a marked down")
        assert self.placeOf(self.client(front)) == "b"
        assert "Traceback" not in a.text + b.text
