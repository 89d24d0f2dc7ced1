"""
End to end: `twistd -n tpreactor --workers 2`, a main process and two
workers sharing the listening socket, as clients and the operator see it.
"""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from twisted.trial.unittest import SynchronousTestCase

from .contract import CLOSED, FULL, REPLY, WELCOME
from .support import DEADLINE_SECONDS, STATUS_LINE, TWISTD, LineClient, ServerProcess, freePort, get, until
from .test_e2e_operator import TerminalServer, welcomed, refused

READY = re.compile(r"\[w(\d+)\] (?:Proceso trabajador listo|Worker process ready) \(pid (\d+)\)")
#: More clients than this all landing on one worker of two is not chance.
SPREAD_TRIES = 60


def workersReady(server, count=2):
    """
    Wait until C{count} workers said they accept; their pids by number.
    """
    server.waitFor(re.compile(r"(?s)" + r".*".join([READY.pattern] * count)))
    return {int(n): int(pid) for n, pid in READY.findall(server.text)}


def workerOf(server, port):
    """
    The number of the worker that logged the client on C{port}.
    """
    match = server.waitFor(re.compile(rf"\[w(\d+)\] Conexión establecida con IP: 127\.0\.0\.1 y Puerto: {port}\b"))
    return int(match.group(1))


def spread(server, port, workers=(1, 2)):
    """
    Welcomed clients, connected one by one until every worker in
    C{workers} has one: C{{worker: [clients]}}.
    """
    byWorker = {}
    for _ in range(SPREAD_TRIES):
        client = welcomed(port)
        byWorker.setdefault(workerOf(server, client.localPort), []).append(client)
        if all(w in byWorker for w in workers):
            return byWorker
    raise AssertionError(f"{SPREAD_TRIES} clients, all on worker(s) {sorted(byWorker)}:\n{server.text}")


def admittedSoon(port):
    """
    A client welcomed within the deadline, trying again while the server is full.
    """
    end = time.monotonic() + DEADLINE_SECONDS
    while True:
        client = LineClient(port)
        line = client.line()
        if line.startswith(WELCOME):
            return client
        client.close()
        assert line == FULL and time.monotonic() < end, line
        time.sleep(0.05)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def resume(pid):
    """
    Let a worker stopped with SIGSTOP go on (to end), if it is still there.
    """
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def closeAll(byWorker):
    for clients in byWorker.values():
        for client in clients:
            client.close()


class WorkersServeTests(SynchronousTestCase):
    def test_clientsSpreadOverWorkersThatNameThemselves(self):
        """
        Clients land on both workers; each is served as by one process, and
        every console line about it names its worker.
        """
        with ServerProcess("--workers", "2") as server:
            workersReady(server)
            byWorker = spread(server, server.port)
            for number, clients in byWorker.items():
                client = clients[0]
                port = client.localPort
                assert client.ask("hola").startswith(REPLY)
                assert client.ask("salir").startswith("Servidor: Conexión finalizada.")
                server.waitFor(f"[w{number}] Mensaje recibido de 127.0.0.1:{port}: hola")
                server.waitFor(f"[w{number}] Cliente 127.0.0.1:{port} ha cerrado la conexión.")
            closeAll(byWorker)
            assert "Traceback" not in server.text

    def test_sigtermIsGracefulInEveryWorker(self):
        """
        SIGTERM: every client of every worker gets the replies to what it
        sent, then the closing line; the server exits 0 and no worker is left.
        """
        with ServerProcess("--workers", "2", "--work", "0.3") as server:
            pids = workersReady(server)
            byWorker = spread(server, server.port)
            clients = [c for cs in byWorker.values() for c in cs]
            for client in clients:
                client.send("uno\ndos\n")
            server.waitFor(re.compile(r"Mensaje recibido de [^\n]*: dos"))
            server.signal(signal.SIGTERM)
            for client in clients:
                assert [client.line()[:len(REPLY)] for _ in range(2)] == [REPLY, REPLY]
                assert client.line() == CLOSED
                assert client.line() is None
            assert server.wait() == 0
            assert not [pid for pid in pids.values() if alive(pid)]
            assert "Código de salida: 0." in server.text
            assert "Traceback" not in server.text
            closeAll(byWorker)

    def test_mainProcessSpeaksFirst(self):
        """
        SIGTERM to an idle server whose output is no terminal: the main
        process's line comes before the workers' lines of their stop, though
        the workers write theirs themselves and the main process holds its
        own a moment for the flush.
        """
        with ServerProcess("--workers", "2") as server:
            workersReady(server)
            server.signal(signal.SIGTERM)
            assert server.wait() == 0
            firstStop = re.search(r"\[w\d\] Cierre ordenado", server.text)
            assert server.text.index("Señal SIGTERM recibida") < firstStop.start(), server.text

    def test_secondSigtermHurriesEveryWorker(self):
        """
        A SIGTERM during the graceful stop cuts every worker's stop short:
        the closing line without the replies still owed, and exit status 1.
        """
        with ServerProcess("--workers", "2", "--work", "30", "--grace", "5") as server:
            workersReady(server)
            byWorker = spread(server, server.port)
            for clients in byWorker.values():
                clients[0].send("lento\n")
            server.waitFor(re.compile(r"(?s)Mensaje recibido de.*Mensaje recibido de"))
            server.signal(signal.SIGTERM)
            server.waitFor(re.compile(r"(?s)\[w\d\] Cierre ordenado.*\[w\d\] Cierre ordenado"))
            server.signal(signal.SIGTERM)
            for clients in byWorker.values():
                assert clients[0].line() == CLOSED
            # The work still running in each pool is abandoned at the end of the grace period.
            assert server.wait() == 1
            assert len(re.findall(r"\[w\d\] Cierre acelerado por el operador", server.text)) == 2
            assert "Código de salida: 1." in server.text
            closeAll(byWorker)

    def test_deadWorkerIsLoggedAndReplaced(self):
        """
        A worker killed outright is logged with how many clients it had, and
        another takes its number; the other worker's clients never notice.
        """
        with ServerProcess("--workers", "2") as server:
            pids = workersReady(server)
            byWorker = spread(server, server.port)
            victim = 1
            had = len(byWorker[victim])
            survivor = byWorker[2][0]
            # The worker tells how many clients it has every quarter second.
            assert survivor.nothingWithin(0.6)
            os.kill(pids[victim], signal.SIGKILL)
            # Young (it started seconds ago), it is replaced after a short wait.
            server.waitFor(re.compile(
                rf"\[w{victim}\] El proceso trabajador \(pid {pids[victim]}\) terminó inesperadamente "
                rf"\(signal 9\) con {had} clientes?(, [\d.]+ s después de empezar)?; se inicia otro( en 1 s)?\."
            ))
            newPid = server.waitFor(re.compile(rf"\[w{victim}\] Proceso trabajador listo \(pid (?!{pids[victim]}\))(\d+)\)"))
            assert int(newPid.group(1)) != pids[victim]
            assert survivor.ask("sigo").startswith(REPLY)
            with welcomed(server.port) as late:
                assert late.ask("hola").startswith(REPLY)
            closeAll(byWorker)
            server.signal(signal.SIGTERM)
            assert server.wait() == 0

    def test_workersEndWithTheMainProcess(self):
        """
        A main process killed outright leaves no worker behind: each closes
        its clients with the closing line and exits.
        """
        with ServerProcess("--workers", "2") as server:
            pids = workersReady(server)
            byWorker = spread(server, server.port)
            server.proc.kill()
            server.wait()
            for clients in byWorker.values():
                for client in clients:
                    assert client.line() == CLOSED
            end = time.monotonic() + DEADLINE_SECONDS
            while [pid for pid in pids.values() if alive(pid)] and time.monotonic() < end:
                time.sleep(0.05)
            assert not [pid for pid in pids.values() if alive(pid)]
            closeAll(byWorker)

    def test_limitsCountTheWholeServer(self):
        """
        --max-connections and --max-per-ip count every worker's clients: the
        one over the limit is refused, whichever worker took it.
        """
        for option in ("--max-connections", "--max-per-ip"):
            with ServerProcess("--workers", "2", option, "3") as server:
                workersReady(server)
                clients = [welcomed(server.port) for _ in range(3)]
                for _ in range(4):  # whichever worker takes it
                    with LineClient(server.port) as extra:
                        assert extra.line() == FULL, option
                        assert extra.line() is None
                clients.pop().close()
                server.waitFor("se desconectó.")
                # The worker tells the main process over AMP, beside the log line: soon, not at once.
                another = admittedSoon(server.port)
                assert another.ask("hola").startswith(REPLY)
                another.close()
                for client in clients:
                    client.close()

    def test_proxiedClientsByTheirOwnAddress(self):
        """
        Behind a PROXY protocol header (--listen haproxy:...) each worker
        welcomes and logs the client by the address the header gives.
        """
        proxied = freePort()
        with ServerProcess("--workers", "2", "--listen", f"haproxy:tcp:{proxied}:interface=127.0.0.1") as server:
            workersReady(server)
            with LineClient(proxied) as client:
                client.send("PROXY TCP4 10.1.2.3 127.0.0.1 4321 6667\r\n")
                assert client.line().startswith(WELCOME)
                assert client.ask("hola").startswith(REPLY)
                server.waitFor(re.compile(r"\[w\d\] Conexión establecida con IP: 10\.1\.2\.3 y Puerto: 4321"))
                server.waitFor(re.compile(r"\[w\d\] Mensaje recibido de 10\.1\.2\.3:4321: hola"))

    def test_serialRefusesWorkersInOneLine(self):
        """
        Serial mode refuses --workers above 1 with one line, in the server's language.
        """
        for lang, text in [("es", "El modo serial no admite --workers mayor que 1"),
                           ("en", "serial mode does not take --workers above 1")]:
            result = subprocess.run([TWISTD, "--pidfile=", "-n", "tpreactor", "--mode", "serial", "--workers", "2",
                                     "--lang", lang], capture_output=True, text=True, timeout=DEADLINE_SECONDS * 2,
                                    stdin=subprocess.DEVNULL)
            assert result.returncode != 0
            output = result.stdout + result.stderr
            assert len([line for line in output.splitlines() if text in line]) == 1, output


class Chatter:
    """
    A client that sends a message, waits for its reply, and again, until the
    server closes: what it sent, what was answered, how it ended.
    """

    def __init__(self):
        self.sent = 0
        self.replies = 0
        self.closingLine = False
        self.afterClosing = []
        self.error = None

    async def run(self, port, started):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            line = await reader.readline()
            assert line.decode().startswith(WELCOME), line
            started.set()
            while True:
                writer.write(b"hola\n")
                self.sent += 1
                line = (await reader.readline()).decode().rstrip("\n")
                if line.startswith(REPLY):
                    self.replies += 1
                    continue
                self.closingLine = line == CLOSED
                self.afterClosing.append(await reader.read())
                break
            writer.close()
        except Exception as e:  # noqa: BLE001 (the test reports it)
            self.error = repr(e)


async def chatUntilClosed(port, count, signalAfter):
    """
    C{count} L{Chatter}s; C{signalAfter()} is called once all of them chat.
    """
    chatters = [Chatter() for _ in range(count)]
    started = [asyncio.Event() for _ in chatters]
    tasks = [asyncio.ensure_future(c.run(port, e)) for c, e in zip(chatters, started)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in started)), DEADLINE_SECONDS)
    await asyncio.sleep(0.5)
    signalAfter()
    await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE_SECONDS * 2)
    return chatters


class WorkersUnderLoadTests(SynchronousTestCase):
    def test_sigtermUnderLoadLosesNothing(self):
        """
        SIGTERM while 200 clients chat over two workers: each gets the reply
        to every message the server read, then the closing line, then the
        end; exit 0 and no worker left.
        """
        with ServerProcess("--workers", "2", "--quiet") as server:
            pids = workersReady(server)
            chatters = asyncio.run(chatUntilClosed(server.port, 200, server.signal))
            assert server.wait(DEADLINE_SECONDS * 2) == 0
            assert [c.error for c in chatters if c.error] == []
            assert all(c.closingLine and c.afterClosing == [b""] for c in chatters)
            # The last message may have crossed the closing line: the server had stopped reading.
            assert all(c.replies in (c.sent, c.sent - 1) for c in chatters)
            assert sum(c.replies for c in chatters) > 200
            assert not [pid for pid in pids.values() if alive(pid)]
            assert re.search(r"\[w1\] Cierre ordenado: mensajes respondidos: \d+; conexiones cerradas: \d+; cortadas: 0", server.text)
            assert re.search(r"\[w2\] Cierre ordenado: mensajes respondidos: \d+; conexiones cerradas: \d+; cortadas: 0", server.text)


#: A burst, the fresh starts it is tried on, and the most of it one of two
#: workers may take.
BURST, FRESH_STARTS, MOST_SHARE = 200, 5, 0.6


def burst(port, count):
    """
    C{count} connections opened at once (the sockets made first, then
    connected one after the other as fast as can be): their sockets.
    """
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.setblocking(False)
    for sock in sockets:
        sock.connect_ex(("127.0.0.1", port))
    return sockets


class BurstTests(SynchronousTestCase):
    def test_burstSpreadOverFreshWorkers(self):
        """
        A burst of 200 connections to a freshly started server of two
        workers is spread: neither takes more than 60 % of it, on each of
        five fresh starts.
        """
        welcomed = re.compile(r"\[w(\d)\] Conexión establecida con IP")
        splits = []
        for _ in range(FRESH_STARTS):
            with ServerProcess("--workers", "2", "--quiet") as server:
                workersReady(server)
                sockets = burst(server.port, BURST)
                until(lambda: len(welcomed.findall(server.text)) >= BURST, "every connection welcomed")
                numbers = welcomed.findall(server.text)
                splits.append((numbers.count("1"), numbers.count("2")))
                for sock in sockets:
                    sock.close()
        assert all(max(split) <= BURST * MOST_SHARE for split in splits), splits


class WorkersOperatorTests(SynchronousTestCase):
    def test_consoleReachesEveryWorker(self):
        """
        clientes lists both workers' clients, each line naming its worker;
        desconectar closes the client on whichever worker has it.
        """
        with TerminalServer("--workers", "2") as server:
            workersReady(server)
            byWorker = spread(server, server.port)
            everyone = [(n, c.localPort) for n, cs in byWorker.items() for c in cs]
            listing = server.command("clientes", f"Conexiones activas: {len(everyone)}")
            for number, port in everyone:
                server.waitFor(re.compile(rf"127\.0\.0\.1:{port}  conectado el .*  \[w{number}\]"))
            assert listing
            target = byWorker[2][0]
            port = target.localPort
            server.command(f"desconectar 127.0.0.1:{port}", f"Desconectando a 127.0.0.1:{port}.  [w2]")
            assert target.line() == CLOSED
            server.waitFor(f"[w2] Cliente 127.0.0.1:{port} desconectado por el servidor: orden del operador.")
            server.command("desconectar 127.0.0.1:1", "No hay ningún cliente conectado desde 127.0.0.1:1.")
            closeAll(byWorker)

    def test_closeSocketOnlyServesTheConnectedThenEnds(self):
        """
        Ctrl+C and option 1: no worker accepts any more, every worker's
        clients keep being served, and the server ends when the last leaves.
        """
        with TerminalServer("--workers", "2") as server:
            workersReady(server)
            byWorker = spread(server, server.port)
            mark = server.interrupt()
            server.type("1\n")
            server.waitFor("Socket del servidor cerrado.", mark)
            assert refused(server.port)
            for clients in byWorker.values():
                for client in clients:
                    assert client.ask("hola").startswith(REPLY)
                    client.ask("salir")
                    client.close()
            assert server.wait() == 0
            server.assertTerminalRestored()

    def test_ctrlCOptionTwoStopsEveryWorker(self):
        """
        Ctrl+C and option 2: every worker's clients get the closing line; exit 0.
        """
        with TerminalServer("--workers", "2") as server:
            pids = workersReady(server)
            byWorker = spread(server, server.port)
            server.interrupt()
            server.type("2\n")
            for clients in byWorker.values():
                for client in clients:
                    assert client.line() == CLOSED
            assert server.wait() == 0
            assert not [pid for pid in pids.values() if alive(pid)]
            closeAll(byWorker)


def proxyClient(port, header, source="127.0.0.1", host="127.0.0.1", family=socket.AF_INET):
    """
    A client from C{source} that sends a PROXY C{header} first.
    """
    client = LineClient(port, host=host, family=family, source=source)
    client.send(header)
    return client


def v1(host, port, family="TCP4", to="127.0.0.1"):
    return f"PROXY {family} {host} {to} {port} 6667\r\n"


class WorkersTrustTests(SynchronousTestCase):
    def test_untrustedProxyClosedUnread(self):
        """
        With --trusted-proxies 127.0.0.1, a PROXY header from 127.0.0.2 is
        not believed: the connection is closed with nothing sent and the
        worker's console line names 127.0.0.2 and why; 127.0.0.1's is.
        """
        proxied = freePort()
        with ServerProcess("--workers", "2", "--listen", f"haproxy:tcp:{proxied}:interface=127.0.0.1",
                           "--trusted-proxies", "127.0.0.1") as server:
            workersReady(server)
            with proxyClient(proxied, v1("203.0.113.7", 41000), source="127.0.0.2") as liar:
                assert liar.line() is None
                server.waitFor(re.compile(
                    rf"\[w\d\] Conexión de 127\.0\.0\.2:{liar.localPort} cerrada: no es un proxy de confianza "
                    r"\(--trusted-proxies\): su cabecera PROXY no se cree\."))
            with proxyClient(proxied, v1("203.0.113.7", 41001)) as honest:
                assert honest.line().startswith(WELCOME)
            assert "203.0.113.7 y Puerto: 41000" not in server.text

    def test_otherWayRoundAndIpv6(self):
        """
        With --trusted-proxies 127.0.0.2,::1 it is the other way round:
        127.0.0.2's header is believed and 127.0.0.1's is not; over IPv6,
        ::1's header names an IPv6 client, and a second live claim of that
        client is refused.
        """
        proxied, proxied6 = freePort(), freePort()
        with ServerProcess("--listen", f"haproxy:tcp:{proxied}:interface=127.0.0.1",
                           "--listen", f"haproxy:tcp6:{proxied6}:interface=\\:\\:1",
                           "--trusted-proxies", "127.0.0.2,::1") as server:
            server.waitFor(f"escuchando en [::1]:{proxied6}")
            with proxyClient(proxied, v1("198.51.100.9", 41000), source="127.0.0.2") as trusted:
                assert trusted.line().startswith(WELCOME)
                server.waitFor("Conexión establecida con IP: 198.51.100.9 y Puerto: 41000")
            with proxyClient(proxied, v1("198.51.100.9", 41001)) as untrusted:
                assert untrusted.line() is None
                server.waitFor(f"Conexión de 127.0.0.1:{untrusted.localPort} cerrada: no es un proxy de confianza")
            six = v1("2001:db8::7", 41000, "TCP6", "::1")
            with proxyClient(proxied6, six, "::1", "::1", socket.AF_INET6) as first:
                assert first.line().startswith(WELCOME)
                server.waitFor("Conexión establecida con IP: 2001:db8::7 y Puerto: 41000")
                with proxyClient(proxied6, six, "::1", "::1", socket.AF_INET6) as second:
                    assert second.line() is None
                    server.waitFor(f"Conexión de [::1]:{second.localPort} cerrada: su cabecera PROXY dice venir de "
                                   "[2001:db8::7]:41000, un cliente que ya está conectado.")
                assert first.ask("sigo").startswith(REPLY)
            assert "Traceback" not in server.text

    def test_duplicateClaimRefusedAcrossWorkers(self):
        """
        A second live connection claiming 10.0.0.5:50000 is refused with a
        console line, whichever worker takes it: the other worker too.
        """
        proxied = freePort()
        with ServerProcess("--workers", "2", "--listen", f"haproxy:tcp:{proxied}:interface=127.0.0.1") as server:
            workersReady(server)
            header = v1("10.0.0.5", 50000)
            with proxyClient(proxied, header) as first:
                assert first.line().startswith(WELCOME)
                owner = int(server.waitFor(re.compile(
                    r"\[w(\d)\] Conexión establecida con IP: 10\.0\.0\.5 y Puerto: 50000")).group(1))
                refusedBy = set()
                for _ in range(SPREAD_TRIES):
                    with proxyClient(proxied, header) as again:
                        assert again.line() is None
                        refusedBy.add(int(server.waitFor(re.compile(
                            rf"\[w(\d)\] Conexión de 127\.0\.0\.1:{again.localPort} cerrada: su cabecera PROXY dice "
                            r"venir de 10\.0\.0\.5:50000, un cliente que ya está conectado\.")).group(1)))
                    if refusedBy - {owner}:
                        break
                assert refusedBy - {owner}, refusedBy
                assert first.ask("hola").startswith(REPLY)
            server.waitFor("Cliente 10.0.0.5:50000 se desconectó.")
            # Gone: the address may come again.
            until(lambda: _welcomed(proxied, header), "the claim given back")


def _welcomed(port, header):
    with proxyClient(port, header) as client:
        return (client.line() or "").startswith(WELCOME)


def statusOf(server):
    return server.waitFor(STATUS_LINE).group(1)


class SilentWorkerTests(SynchronousTestCase):
    def test_silentWorkerNamedKilledAndReplaced(self):
        """
        A worker stopped with SIGSTOP: clientes and /status.json answer
        within about a second with the other worker's clients and name the
        silent one, /healthz still says serving; within --worker-timeout and
        a little the console names it (pid, clients), it is killed and a
        new one takes its number.
        """
        with TerminalServer("--workers", "2", "--worker-timeout", "3",
                            "--status", "tcp:0:interface=127.0.0.1") as server:
            pids = workersReady(server)
            base = statusOf(server)
            byWorker = spread(server, server.port)
            stuck, other = 1, 2
            assert byWorker[other][0].nothingWithin(0.6)  # the load reported
            os.kill(pids[stuck], signal.SIGSTOP)
            stopped = time.monotonic()
            try:
                answer = server.command("clientes", f"[w{stuck}] El proceso trabajador (pid {pids[stuck]}) no "
                                        "respondió: esta respuesta no incluye a sus clientes "
                                        f"({len(byWorker[stuck])} la última vez).")
                assert f"Conexiones activas: {len(byWorker[other])}" in answer
                assert f"127.0.0.1:{byWorker[other][0].localPort}  conectado el" in answer
                asked = time.monotonic()
                code, body = get(base + "status.json")
                assert code == 200 and time.monotonic() - asked < 2.5
                state = json.loads(body)
                silent = [(w["number"], w["pid"]) for w in state["workers"] if w["silent"]]
                assert silent == [(stuck, pids[stuck])], state["workers"]
                assert {c["worker"] for c in state["clients"]} == {other}
                assert get(base + "healthz") == (200, b"serving\n")
                assert byWorker[other][0].ask("sigo").startswith(REPLY)
                server.waitFor(re.compile(
                    rf"\[w{stuck}\] El proceso trabajador \(pid {pids[stuck]}\) no responde desde hace [34] s, con "
                    rf"{len(byWorker[stuck])} clientes?: se lo mata \(SIGKILL\) y se inicia otro\."))
                assert time.monotonic() - stopped < 3 + 2.5
            finally:
                resume(pids[stuck])
            server.waitFor(re.compile(rf"\[w{stuck}\] Proceso trabajador listo \(pid (?!{pids[stuck]}\))\d+\)"))
            assert "terminó inesperadamente" not in server.text
            for client in byWorker[stuck]:
                assert client.line() is None
            server.command("clientes", f"Conexiones activas: {len(byWorker[other])}")
            closeAll(byWorker)

    def test_lateWorkerNamedAtShutdown(self):
        """
        With --worker-timeout 0 a stopped worker is never killed for its
        silence, but on SIGTERM it is killed once the stop's bound is over,
        and named: exit status 1.
        """
        with ServerProcess("--workers", "2", "--worker-timeout", "0", "--grace", "1") as server:
            pids = workersReady(server)
            os.kill(pids[2], signal.SIGSTOP)
            try:
                server.signal(signal.SIGTERM)
                assert server.wait(DEADLINE_SECONDS * 2) == 1
            finally:
                resume(pids[2])
            assert f"[w2] El proceso trabajador (pid {pids[2]}) no terminó su cierre en 8 s: se lo mata (SIGKILL)." \
                in server.text
            assert "no responde desde hace" not in server.text


#: The main process's open-file limit in the restart test: low enough to fill.
FEW_FILES = 64
LIMITED = "import os, resource, sys; n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)); " \
    "os.execv(sys.argv[2], sys.argv[2:])"


def openFiles(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class RestartTests(SynchronousTestCase):
    def test_startFailsUntilDescriptorsFree(self):
        """
        A worker that dies while the main process has no descriptor left
        (idle connections to its status port took them) cannot be started
        again: one line each try, tried again later and later, nothing
        leaked; once descriptors are free it starts.
        """
        server = ServerProcess("--workers", "2", "--status", "tcp:0:interface=127.0.0.1")
        server.args = [sys.executable, "-c", LIMITED, str(FEW_FILES), *server.args]
        idle = []
        with server:
            pids = workersReady(server)
            statusPort = int(statusOf(server).rstrip("/").rsplit(":", 1)[1])
            pid = server.proc.pid
            before = openFiles(pid)
            while openFiles(pid) < FEW_FILES and len(idle) < FEW_FILES:
                idle.append(socket.create_connection(("127.0.0.1", statusPort)))
                until(lambda: openFiles(pid) >= min(FEW_FILES, before + len(idle)), "the idle connection accepted")
            os.kill(pids[1], signal.SIGKILL)
            failed = server.waitFor(re.compile(r"\[w1\] No se pudo iniciar el proceso trabajador \(EMFILE: "
                                               r"Demasiados archivos abiertos\); se vuelve a intentar en (\d+) s\."))
            assert "Traceback" not in server.text
            for connection in idle:
                connection.close()
            server.waitFor(re.compile(r"(?s)No se pudo iniciar.*\[w1\] Proceso trabajador listo"),
                           int(failed.group(1)) * 3 + DEADLINE_SECONDS)
            until(lambda: openFiles(pid) == before, "the descriptors as before")
            with welcomed(server.port) as client:
                assert client.ask("hola").startswith(REPLY)
            server.signal()
            assert server.wait() == 0


def metric(base, name):
    """
    The value of the sample C{name} (labels included) in /metrics.
    """
    _, body = get(base + "metrics")
    match = re.search(rb"^" + re.escape(name.encode()) + rb" (\S+)$", body, re.M)
    return float(match.group(1))


class CountersTests(SynchronousTestCase):
    def test_countersSurviveAKilledWorker(self):
        """
        tpreactor_messages_total, tpreactor_refusals_total and the reply
        histogram read the same after a worker that counted some of them
        is killed: counters never go back.
        """
        with ServerProcess("--workers", "2", "--max-per-ip", "1", "--status", "tcp:0:interface=127.0.0.1") as server:
            pids = workersReady(server)
            base = statusOf(server)
            byWorker = {}
            for last in range(2, 2 + SPREAD_TRIES):
                client = welcomed(server.port, source=f"127.0.0.{last}")
                number = int(server.waitFor(re.compile(
                    rf"\[w(\d)\] Conexión establecida con IP: 127\.0\.0\.{last} y")).group(1))
                byWorker.setdefault(number, []).append(client)
                if len(byWorker) == 2:
                    break
            for clients in byWorker.values():
                for client in clients:
                    for _ in range(5):
                        assert client.ask("hola").startswith(REPLY)
                    with LineClient(server.port, source=client.sock.getsockname()[0]) as extra:
                        assert extra.line() == FULL
            until(lambda: metric(base, 'tpreactor_refusals_total{reason="full"}') >= len(byWorker), "refusals")
            names = ["tpreactor_messages_total", 'tpreactor_refusals_total{reason="full"}',
                     "tpreactor_reply_seconds_count"]
            before = [metric(base, name) for name in names]
            assert before[0] == 5 * sum(len(c) for c in byWorker.values()), before
            os.kill(pids[1], signal.SIGKILL)
            server.waitFor(re.compile(r"\[w1\] Proceso trabajador listo \(pid (?!%d\))" % pids[1]))
            assert [metric(base, name) for name in names] == before
            closeAll(byWorker)
