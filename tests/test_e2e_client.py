"""
End-to-end tests of tpreactor-client against a real `twistd -n tpreactor`:
scripted through pipes, interactive through a pseudo-terminal.
"""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from tests.support import DEADLINE_SECONDS, ServerProcess, TerminalProcess, freePort, temporaryFolder

CLIENT = [sys.executable, "-m", "tpreactor.client"]
ENV = dict(os.environ, PYTHONUNBUFFERED="1")
WELCOME = re.compile(r"^Servidor: Conexión establecida el .+\. Puedes enviar mensajes al servidor\.$", re.M)
REPLY = re.compile(r"^Mensaje Recibido el .+\. Tiempo transcurrido desde la conexión: \d+:\d\d:\d\d", re.M)
GOODBYE = re.compile(r"^Servidor: Conexión finalizada\. Tiempo total de conexión: ", re.M)


class Client:
    """
    tpreactor-client in a subprocess with its stdin a pipe we hold.
    """

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            CLIENT + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=ENV,
        )
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.output = b""

    @property
    def text(self):
        return self.output.decode("utf-8", "replace")

    def _read(self, timeout):
        fd = self.proc.stdout.fileno()
        if select.select([fd], [], [], timeout)[0]:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            self.output += chunk

    def waitFor(self, pattern, deadline=DEADLINE_SECONDS):
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        end = time.monotonic() + deadline
        while not regex.search(self.text):
            assert time.monotonic() < end, f"no {pattern!r} within {deadline}s:\n{self.text}"
            self._read(0.1)

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def nothingNewWithin(self, seconds):
        before = self.output
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._read(end - time.monotonic())
        return self.output == before

    def finish(self, deadline=DEADLINE_SECONDS, closeInput=True):
        """
        Close stdin (unless told not to), wait for the exit; return the status.
        """
        if closeInput and not self.proc.stdin.closed:
            self.proc.stdin.close()
        end = time.monotonic() + deadline
        while self.proc.poll() is None:
            assert time.monotonic() < end, f"client still running:\n{self.text}"
            self._read(0.1)
        self._read(0)
        self.stderr = self.proc.stderr.read().decode("utf-8", "replace")
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()


def runClient(*args, input=b"", timeout=DEADLINE_SECONDS):
    return subprocess.run(CLIENT + list(args), input=input, capture_output=True, timeout=timeout, env=ENV)


def lastLine(text):
    return text.rstrip("\n").rsplit("\n", 1)[-1]


def runningServer(testCase, *args):
    """
    A started L{ServerProcess} with C{args}, stopped when C{testCase} ends.
    """
    server = ServerProcess(*args)
    testCase.addCleanup(server.stop)
    return server.start()


# -- scripted -------------------------------------------------------------------


class ScriptedClientTests(SynchronousTestCase):
    def test_scriptedSession(self):
        """
        Scripted: the Conectando line, the welcome, one reply per line in order,
        the goodbye and Cerrando socket; exit 0; no prompt, no traceback.
        """
        server = runningServer(self)
        result = runClient("127.0.0.1", str(server.port), input="hola\nqué tal\n\nfin sin salto".encode())
        out = result.stdout.decode()
        assert result.returncode == 0, (out, result.stderr)
        lines = out.splitlines()
        assert lines[0] == f"Conectando a 127.0.0.1 puerto {server.port}"
        assert WELCOME.match(lines[1])
        assert len(REPLY.findall(out)) == 4
        assert all(REPLY.match(line) for line in lines[2:6])
        assert GOODBYE.match(lines[6])
        assert lines[7:] == ["Cerrando socket"]
        assert "Mensaje para el servidor" not in out
        assert result.stderr == b""
        server.waitFor("Mensaje recibido de 127.0.0.1")
        server.waitFor(re.compile(r"Mensaje recibido de \S+: fin sin salto"))
        server.waitFor("ha cerrado la conexión.")

    def test_scriptedEnglish(self):
        """
        --lang en speaks English to an English server.
        """
        with ServerProcess("--lang", "en") as server:
            result = runClient("--lang", "en", "127.0.0.1", str(server.port), input=b"hello\nquit\nnot sent\n")
        out = result.stdout.decode()
        assert result.returncode == 0, out
        assert out.splitlines()[0] == f"Connecting to 127.0.0.1 port {server.port}"
        assert "Message received on" in out
        assert "Closing the connection with the server..." in out
        assert "Server: Connection ended. Total connection time:" in out
        assert lastLine(out) == "Closing socket"
        assert out.count("Message received on") == 1

    def test_sendsOnlyAfterReply(self):
        """
        Against a hand-driven loopback server: nothing is sent before the
        welcome, and each line only after the reply to the one before.
        """
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            c = Client("127.0.0.1", str(listener.getsockname()[1]))
            try:
                c.send(b"uno\ndos\n")
                listener.settimeout(DEADLINE_SECONDS)
                conn, _ = listener.accept()
                with conn:
                    conn.settimeout(DEADLINE_SECONDS)
                    assert not select.select([conn], [], [], 0.3)[0]
                    conn.sendall(b"Servidor: hola\r\n")
                    assert conn.recv(100) == b"uno\n"
                    assert not select.select([conn], [], [], 0.3)[0]
                    conn.sendall(b"respuesta 1\r\n")
                    assert conn.recv(100) == b"dos\n"
                    c.proc.stdin.close()
                    conn.sendall(b"respuesta 2\n")
                    assert conn.recv(100) == b"salir\n"
                    conn.sendall(b"Servidor: Conexi\xc3\xb3n finalizada. Tiempo total de conexi\xc3\xb3n: 0:00:01\n")
                    assert c.finish() == 0
            finally:
                c.kill()
        assert c.text.splitlines()[1:] == [
            "Servidor: hola", "respuesta 1", "respuesta 2",
            "Servidor: Conexión finalizada. Tiempo total de conexión: 0:00:01", "Cerrando socket",
        ]

    def test_serverClosesFirst_idle(self):
        """
        The server closing first (inactivity): its line, then the client's two
        closing lines, exit 1.
        """
        with ServerProcess("--idle-timeout", "1") as server:
            c = Client("127.0.0.1", str(server.port))
            try:
                c.waitFor(WELCOME)
                c.waitFor("La conexión con el servidor se cerró.")
                status = c.finish(closeInput=False)
            finally:
                c.kill()
        assert status == 1
        assert "Servidor: Conexión cerrada por inactividad." in c.text
        assert lastLine(c.text) == "Cerrando socket"

    def test_serverClosesFirst_sigterm(self):
        """
        SIGTERM to the server while a scripted client waits for more input:
        the closing line, then exit 1.
        """
        with ServerProcess() as server:
            c = Client("127.0.0.1", str(server.port))
            try:
                c.send(b"hola\n")
                c.waitFor(REPLY)
                server.signal(signal.SIGTERM)
                status = c.finish(closeInput=False)
            finally:
                c.kill()
        assert status == 1, c.text
        assert "Servidor: El servidor cerró la conexión." in c.text
        assert "La conexión con el servidor se cerró." in c.text
        assert lastLine(c.text) == "Cerrando socket"

    def test_serialQueue(self):
        """
        In serial mode a second client waits at Conectando, gets nothing, and is
        served once the first leaves.
        """
        with ServerProcess("--mode", "serial") as server:
            first = Client("127.0.0.1", str(server.port))
            second = None
            try:
                first.waitFor(WELCOME)
                second = Client("127.0.0.1", str(server.port))
                second.send(b"hola\n")
                second.waitFor("Conectando")
                assert second.nothingNewWithin(0.5)
                assert first.finish() == 0
                second.waitFor(REPLY)
                assert second.finish() == 0
            finally:
                first.kill()
                if second is not None:
                    second.kill()
        assert GOODBYE.search(second.text)

    def test_unixSocket(self):
        """
        --connect takes any client endpoint; here a unix socket.
        """
        path = os.path.join(tempfile.mkdtemp(), "tp.sock")
        with ServerProcess("--listen", f"unix:{path}"):
            result = runClient("--connect", f"unix:{path}", input=b"hola\n")
        out = result.stdout.decode()
        assert result.returncode == 0, (out, result.stderr)
        assert out.splitlines()[0] == f"Conectando a {path}"
        assert REPLY.search(out)

    def test_tls(self):
        """
        tls: with the server's CA as trust root works; without it, the failed
        handshake is one line on stderr and status 6.
        """
        try:
            import trustme
        except ImportError:
            raise SkipTest("needs trustme")
        tmp_path = Path(temporaryFolder(self))
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
        cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
        (tmp_path / "ca").mkdir()
        ca.cert_pem.write_to_path(str(tmp_path / "ca" / "ca.pem"))
        port = freePort()
        listen = f"ssl:{port}:interface=127.0.0.1:privateKey={tmp_path / 'key.pem'}:certKey={tmp_path / 'cert.pem'}"
        with ServerProcess("--listen", listen):
            good = runClient("--connect", f"tls:127.0.0.1:{port}:trustRoots={tmp_path / 'ca'}", input=b"hola\n")
            bad = runClient("--connect", f"tls:127.0.0.1:{port}", input=b"hola\n")
        assert good.returncode == 0, (good.stdout, good.stderr)
        assert REPLY.search(good.stdout.decode())
        assertOneErrorLine(bad, 6, "certificate verify failed")
        assert lastLine(bad.stdout.decode()) == "Cerrando socket"


# -- failing to connect ---------------------------------------------------------------


def assertOneErrorLine(result, status, *words):
    err = result.stderr.decode()
    assert result.returncode == status, (result.stdout, err)
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("tpreactor-client: ")
    for word in words:
        assert word in err


class ConnectFailureTests(SynchronousTestCase):
    def test_refused(self):
        """
        A port nobody listens on: the Conectando line, then one error line
        naming host and port, status 3.
        """
        port = freePort()
        result = runClient("127.0.0.1", str(port))
        assertOneErrorLine(result, 3, f"127.0.0.1 puerto {port}", "rechazada")
        assert result.stdout.decode() == f"Conectando a 127.0.0.1 puerto {port}\n"

    def test_unknownHost(self):
        """
        A host that does not resolve is one error line, status 4.
        """
        result = runClient("--lang", "en", "nohost.invalid", "6667")
        assertOneErrorLine(result, 4, "unknown host")

    def test_timeout(self):
        """
        A loopback listener whose accept queue is full never completes the
        handshake: --timeout bounds the wait.
        """
        with socket.socket() as listener, socket.socket() as filler:
            listener.bind(("127.0.0.1", 0))
            listener.listen(0)
            filler.connect(listener.getsockname())
            start = time.monotonic()
            result = runClient("--timeout", "0.5", "127.0.0.1", str(listener.getsockname()[1]))
            assert time.monotonic() - start < DEADLINE_SECONDS / 2
        assertOneErrorLine(result, 5, "0.5 s")

    def test_badArguments(self):
        """
        A port that is no number is one error line, status 2.
        """
        result = runClient("127.0.0.1", "notaport", "--lang", "en")
        assertOneErrorLine(result, 2, "invalid port")


# -- interactive, in a pseudo-terminal ------------------------------------------------


class PtyClient(TerminalProcess):
    """
    tpreactor-client at a terminal, so Ctrl+C and Ctrl+D can be typed.
    """

    def __init__(self, *args):
        TerminalProcess.__init__(self, CLIENT + list(args))
        self.start()

    @property
    def text(self):
        return TerminalProcess.text.fget(self).replace("\r\n", "\n")

    def waitFor(self, pattern, deadline=DEADLINE_SECONDS):
        """
        Wait for C{pattern}; return when it was seen.
        """
        TerminalProcess.waitFor(self, pattern, deadline=deadline)
        return time.monotonic()

    def terminalBlocking(self):
        return os.get_blocking(self.slave)


def ptyClient(testCase, *args):
    """
    A started L{PtyClient} with C{args}, closed when C{testCase} ends.
    """
    client = PtyClient(*args)
    testCase.addCleanup(client.close)
    return client


PROMPT = "Mensaje para el servidor: "


class InteractiveClientTests(SynchronousTestCase):
    def test_interactiveSession(self):
        """
        At a terminal: the prompt after the welcome and after each reply, salir
        ends with the goodbye and 0, and the terminal is left blocking.
        """
        server = runningServer(self)
        c = ptyClient(self, "127.0.0.1", str(server.port))
        c.waitFor(PROMPT)
        c.type(b"hola\n")
        c.waitFor(re.compile(REPLY.pattern + r".*\n" + re.escape(PROMPT), re.M))
        c.type(b"salir\n")
        assert c.wait() == 0
        text = c.text
        assert WELCOME.search(text)
        assert "Cerrando conexión con el servidor...\n" in text
        assert GOODBYE.search(text)
        assert lastLine(text) == "Cerrando socket"
        assert text.count(PROMPT) == 2
        assert c.terminalBlocking()

    def test_interactiveServerClosesAtPrompt(self):
        """
        The server closing while the user sits at the prompt is printed at
        once, on its own line, and the client exits 1.
        """
        with ServerProcess("--idle-timeout", "1") as server:
            c = ptyClient(self, "127.0.0.1", str(server.port))
            c.waitFor(PROMPT)
            c.type(b"escrib")
            server.waitFor("desconectado por el servidor: inactividad")
            logged = time.monotonic()
            shown = c.waitFor("La conexión con el servidor se cerró.")
            assert shown - logged < 1.0
            assert c.wait() == 1
        assert PROMPT + "escrib\nServidor: Conexión cerrada por inactividad.\n" in c.text
        assert lastLine(c.text) == "Cerrando socket"
        assert c.terminalBlocking()

    def test_interactiveCtrlC(self):
        """
        Ctrl+C sends salir (the server logs that the client quit) and exits 130.
        """
        server = runningServer(self)
        c = ptyClient(self, "127.0.0.1", str(server.port))
        c.waitFor(PROMPT)
        c.type(b"\x03")
        assert c.wait() == 130
        server.waitFor(re.compile(r"Cliente 127\.0\.0\.1:\d+ ha cerrado la conexión\."))
        assert "Cerrando conexión con el servidor..." in c.text
        assert lastLine(c.text) == "Cerrando socket"
        assert "Traceback" not in c.text
        assert c.terminalBlocking()

    def test_interactiveCtrlD(self):
        """
        Ctrl+D at the prompt is salir.
        """
        server = runningServer(self)
        c = ptyClient(self, "127.0.0.1", str(server.port), "--lang", "en")
        c.waitFor("Message for the server: ")
        c.type(b"\x04")
        assert c.wait() == 0
        assert "Message for the server: \nClosing the connection with the server...\n" in c.text
        assert lastLine(c.text) == "Closing socket"
        server.waitFor("ha cerrado la conexión.")

    def test_interactiveQueuedThenClosed(self):
        """
        Waiting in a serial server's queue, the client shows only Conectando;
        when the server goes away it says so at once and exits 1.
        """
        with ServerProcess("--mode", "serial") as server:
            first = Client("127.0.0.1", str(server.port))
            try:
                first.waitFor(WELCOME)
                c = ptyClient(self, "127.0.0.1", str(server.port))
                c.waitFor("Conectando")
                c.read(0.3)
                assert PROMPT not in c.text
                server.signal(signal.SIGTERM)
                c.waitFor("La conexión con el servidor se cerró.")
                assert c.wait() == 1
            finally:
                first.kill()
        assert lastLine(c.text) == "Cerrando socket"
