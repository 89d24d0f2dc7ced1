"""
End to end: `twistd -n tpreactor --status tcp:0:...` as a subprocess: it
says where its status page is, serves the JSON, the metrics and the health
check there, and stops with the server; with C{--workers 2}, the main
process serves the whole server's.
"""

import json
import subprocess

from twisted.trial.unittest import SynchronousTestCase

from .contract import CLOSED, REPLY
from .support import STATUS_LINE, TWISTD, LineClient, ServerProcess, freePort, get, until
from .test_e2e_workers import closeAll, spread, workersReady


def run(*args, timeout=30):
    return subprocess.run([TWISTD, "--pidfile=", "-n", "tpreactor", *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


#: The graceful stop waits for the replies to messages this slow.
SLOW_WORK_SECONDS = 1.0


class EndToEndStatusTests(SynchronousTestCase):
    def test_statusEndpoint(self):
        """
        The server logs its status page's address, serves a client's data
        there, and ends with exit status 0 on SIGTERM.
        """
        with ServerProcess("--mode", "serial", "--status", "tcp:0:interface=127.0.0.1") as server:
            base = server.waitFor(STATUS_LINE).group(1)
            with LineClient(server.port) as client:
                client.line()
                client.ask("hola")
                code, body = get(base + "status.json")
                self.assertEqual(code, 200)
                state = json.loads(body)
                self.assertEqual([c["port"] for c in state["clients"]], [client.localPort])
                self.assertEqual((state["mode"], state["messages"]), ("serial", 1))
                code, metrics = get(base + "metrics")
                self.assertIn(b"tpreactor_messages_total 1.0", metrics)
                self.assertEqual(get(base + "healthz"), (200, b"serving\n"))
            server.signal()
            self.assertEqual(server.wait(), 0)
            self.assertNotIn("Traceback", server.text)

    def test_offByDefault(self):
        """
        Without --status no status page is served nor announced.
        """
        with ServerProcess() as server:
            with LineClient(server.port) as client:
                client.line()  # the reactor runs: the signal handlers are ours
            self.assertIsNone(STATUS_LINE.search(server.text))
            server.signal()
            self.assertEqual(server.wait(), 0)

    def test_portInUse(self):
        """
        A status endpoint that cannot listen ends the server in one line that names --status.
        """
        with ServerProcess() as other:
            taken = str(other.port)
            result = run("--port", "0", "--status", taken)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn(f"no se puede escuchar en --status tcp:{taken}:interface=127.0.0.1", result.stdout + result.stderr)
            self.assertNotIn("Traceback", result.stdout + result.stderr)


class EndToEndWorkersStatusTests(SynchronousTestCase):
    def test_wholeServerFromTheMainProcess(self):
        """
        With --workers 2 the main process's status shows the clients of both
        workers with their ports and numbers, counts the messages of both,
        and its health check turns 503 once SIGTERM begins the stop; exit 0.
        """
        statusPort = freePort()
        base = f"http://127.0.0.1:{statusPort}/"
        with ServerProcess("--workers", "2", "--work", str(SLOW_WORK_SECONDS),
                           "--status", f"tcp:{statusPort}:interface=127.0.0.1") as server:
            self.assertEqual(server.waitFor(STATUS_LINE).group(1), base)
            pids = workersReady(server)
            byWorker = spread(server, server.port)
            clients = {c.localPort: (number, c) for number, cs in byWorker.items() for c in cs}
            for _, client in clients.values():
                self.assertTrue(client.ask("hola").startswith(REPLY))
            code, body = get(base + "status.json")
            self.assertEqual(code, 200)
            state = json.loads(body)
            self.assertEqual(sorted((c["port"], c["worker"], c["pid"]) for c in state["clients"]),
                             sorted((port, n, pids[n]) for port, (n, _) in clients.items()))
            self.assertEqual((state["messages"], state["serving"]), (len(clients), True))
            self.assertEqual(state["listening"], [f"127.0.0.1:{server.port}"])
            self.assertNotIn(state["pid"], pids.values())
            code, metrics = get(base + "metrics")
            self.assertIn(f"tpreactor_messages_total {len(clients)}.0".encode(), metrics)
            self.assertIn(f"tpreactor_connections_active {len(clients)}.0".encode(), metrics)
            self.assertEqual(get(base + "healthz"), (200, b"serving\n"))
            # A message of each client still unanswered: the stop waits for them.
            for _, client in clients.values():
                client.send("otra\n")
            server.signal()
            server.waitFor("Señal SIGTERM recibida: cierre ordenado.")
            until(lambda: get(base + "healthz") == (503, b"stopping\n"), "/healthz saying it stops")
            for _, client in clients.values():
                self.assertTrue(client.line().startswith(REPLY))
                self.assertEqual(client.line(), CLOSED)
            self.assertEqual(server.wait(), 0)
            self.assertNotIn("Traceback", server.text)
            closeAll(byWorker)
