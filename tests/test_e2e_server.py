"""
End to end: `twistd -n tpreactor` as a subprocess, talked to with plain sockets.
"""

import re
import socket
import subprocess

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.modes import allModes

from .contract import GOODBYE, REPLY, WELCOME
from .support import TWISTD, LineClient, ServerProcess, freePort



def run(*args, timeout=30):
    return subprocess.run([TWISTD, "--pidfile=", "-n", "tpreactor", *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)



class EndToEndServerTests(SynchronousTestCase):
    def _sessionAndLogLines(self, mode):
        with ServerProcess("--mode", mode) as server:
            assert f"Servidor en modo {mode} escuchando en 127.0.0.1:{server.port}" in server.text
            with LineClient(server.port) as client:
                assert client.line().startswith(WELCOME)
                assert client.ask("hola").startswith(REPLY)
                assert client.ask("SALIR").startswith(GOODBYE)
                assert client.line() is None
                port = client.localPort
            server.waitFor(f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
            assert f"Conexión establecida con IP: 127.0.0.1 y Puerto: {port}" in server.text
            assert f"Mensaje recibido de 127.0.0.1:{port}: hola" in server.text
            assert "Traceback" not in server.text

    def test_fasterConsoleLogger(self):
        """
        With C{twistd --logger=tpreactor.logs.console.observer} the console lines
        are twistd's, time stamp and tag included, and show while the server runs.
        """
        with ServerProcess(twistdArgs=["--logger=tpreactor.logs.console.observer"]) as server:
            with LineClient(server.port) as client:
                client.line()
                assert client.ask("hola").startswith(REPLY)
                port = client.localPort
                line = server.waitFor(re.compile(rf"^.*Mensaje recibido de 127.0.0.1:{port}: hola$", re.M))
                assert client.ask("salir").startswith(GOODBYE)
            assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \[tpreactor#info\] ", line.group(0))
            server.waitFor(f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
            assert "Traceback" not in server.text

    def test_serialQueue(self):
        """
        A serial server leaves the second client without even a welcome until
        the first leaves.
        """
        with ServerProcess("--mode", "serial") as server:
            first = LineClient(server.port)
            assert first.line().startswith(WELCOME)
            second = LineClient(server.port)
            assert second.nothingWithin(0.5)
            assert first.ask("uno").startswith(REPLY)
            firstPort = first.localPort
            first.close()
            assert second.line().startswith(WELCOME)
            server.waitFor(f"Puerto: {second.localPort}")
            assert f"Cliente 127.0.0.1:{firstPort} se desconectó." in server.text
            second.close()

    def test_workInThreadsAndProcesses(self):
        """
        Work in the thread pool and in the process pool is answered.
        """
        for args in (["--work", "0.05", "--threads", "3"], ["--mode", "processes", "--work", "0.05", "--work-kind", "cpu", "--processes", "2"]):
            with ServerProcess(*args) as server, LineClient(server.port) as client:
                client.line()
                client.send("a\nb\nc\n")
                assert [client.line().startswith(REPLY) for _ in range(3)] == [True] * 3

    def test_englishAndQuiet(self):
        """
        --lang en speaks English; --quiet keeps connection lines, drops message lines.
        """
        with ServerProcess("--lang", "en", "--quiet") as server:
            assert "Server in reactor mode listening on" in server.text
            with LineClient(server.port) as client:
                assert client.line().startswith("Server: Connection established on ")
                assert client.ask("hi").startswith("Message received on ")
                assert client.ask("exit").startswith("Server: Connection ended. Total connection time: ")
                port = client.localPort
            server.waitFor(f"Client 127.0.0.1:{port} closed the connection.")
            assert "Message received from" not in server.text

    def test_escapesClientText(self):
        """
        A client cannot put a terminal escape on the operator's screen.
        """
        with ServerProcess() as server, LineClient(server.port) as client:
            client.line()
            client.ask("\x1b[2J\x1b]0;pwned\x07hi")
            server.waitFor("hi")
            assert "\x1b" not in server.text
            assert "\\x1b[2J\\x1b]0;pwned\\x07hi" in server.text

    def test_courseStyleClient(self):
        """
        The course's client sends text with no newline and waits for the reply.
        """
        with ServerProcess() as server:
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            reader = sock.makefile("rb")
            assert reader.readline().decode().startswith(WELCOME)
            sock.sendall("¿hola?".encode())
            assert reader.readline().decode().startswith(REPLY)
            sock.sendall(b"salir")
            assert reader.readline().decode().startswith(GOODBYE)
            sock.close()

    def test_portInUse(self):
        """
        A port already in use is one clear line and a non-zero exit.
        """
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = run("--port", str(port), "--lang", "en")
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Traceback" not in output
        assert f"tpreactor: cannot listen on tcp:{port}:interface=127.0.0.1:backlog=1024: Address already in use" in output

    def test_oneBadEndpointOfSeveral(self):
        """
        When one of several endpoints cannot listen, nothing is left serving.
        """
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            good = freePort()
            result = run("--port", str(good), "--port", str(taken.getsockname()[1]), "--lang", "en")
        assert result.returncode != 0
        assert "Address already in use" in result.stderr + result.stdout
        assert "Traceback" not in result.stderr + result.stdout

    def test_badInputEndpoint(self):
        """
        A bad endpoint string ends in one clear line, not a traceback.
        """
        self._badInput(["--listen", "tcp:notaport"], "bad endpoint 'tcp:notaport")

    def test_badInputEndpointType(self):
        """
        An endpoint of an unknown type ends in one clear line, not a traceback.
        """
        self._badInput(["--listen", "nosuch:1"], "bad endpoint 'nosuch:1")

    def test_badInputWork(self):
        """
        A --work that is no number ends in one clear line, not a traceback.
        """
        self._badInput(["--work", "soon"], "--work must be a number at least 0, not 'soon'")

    def test_badInputMode(self):
        """
        An unknown --mode ends in one clear line, not a traceback.
        """
        self._badInput(["--mode", "forks"], "unknown mode 'forks'")

    def _badInput(self, args, message):
        result = run(*args, "--lang", "en")
        output = (result.stdout + result.stderr).strip()
        assert result.returncode != 0
        assert "Traceback" not in output
        assert message in output.splitlines()[0]

    def test_helpDocumentsOptions(self):
        """
        C{--help} names every option an operator needs.
        """
        result = run("--help")
        for option in ("--mode", "--listen", "--port", "--work", "--threads", "--lang", "--backlog", "--quiet"):
            assert option in result.stdout


def _sessionTestFor(mode):
    def test(self):
        self._sessionAndLogLines(mode)

    test.__doc__ = f"""
        In {mode} mode: the startup line names mode and address; a client is
        welcomed, answered and said goodbye to; the log lines carry its real port.
        """
    return test


# One test per mode the plugins provide.
for _mode in allModes():
    setattr(EndToEndServerTests, f"test_sessionAndLogLines_{_mode.name}", _sessionTestFor(_mode.name))
