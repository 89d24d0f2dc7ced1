"""
SIGHUP end to end, against a real `twistd -n tpreactor`: a `kill -HUP`, and
the operator's terminal closed under the server (its pseudo-terminal's master
closed, as a terminal window or a lost ssh session does), are a graceful
stop like SIGTERM.
"""

import os
import signal
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from .contract import CLOSED, PROMPT, REPLY
from .operatorterminal import OperatorTerminal
from .support import welcomed
from .support import DEADLINE_SECONDS, LineClient, ServerProcess, semaphoresOf

class SighupTests(SynchronousTestCase):
    def test_sighupIsAGracefulStop(self):
        """
        SIGHUP is SIGTERM: the message already sent is answered, the client
        gets the closing line, the console says which signal, and exit 0.
        """
        with ServerProcess("--work", "0.3") as server:
            client = welcomed(server.port)
            self.addCleanup(client.close)
            client.send("antes\n")
            server.waitFor("antes")
            server.signal(signal.SIGHUP)
            self.assertTrue(client.line().startswith(REPLY))
            self.assertEqual(client.line(), CLOSED)
            self.assertIsNone(client.line())
            self.assertEqual(server.wait(), 0)
            self.assertIn("Señal SIGHUP recibida: cierre ordenado.", server.text)
            self.assertIn("Todas las conexiones activas han sido cerradas.", server.text)
            self.assertNotIn("Traceback", server.text)

    def test_secondSighupDoesNotCutTheShutdownShort(self):
        """
        One hang-up often comes as two SIGHUPs (the shell's, the kernel's);
        the second one lets the graceful stop go on: the pending reply is
        still sent before the closing line, and the exit status is 0.
        """
        with ServerProcess("--work", "1", "--grace", "30") as server:
            client = welcomed(server.port)
            self.addCleanup(client.close)
            client.send("lento\n")
            server.waitFor("lento")
            server.signal(signal.SIGHUP)
            server.waitFor("Cierre ordenado")
            server.signal(signal.SIGHUP)
            server.waitFor("el cierre ordenado sigue su curso")
            reply = client.line()
            self.assertTrue(reply.startswith(REPLY), reply)
            self.assertEqual(client.line(), CLOSED)
            self.assertEqual(server.wait(), 0)
            self.assertNotIn("Cierre acelerado", server.text)

    def test_sighupInEnglish(self):
        """
        With --lang en the console names SIGHUP in English.
        """
        with ServerProcess("--lang", "en") as server:
            client = LineClient(server.port)
            self.addCleanup(client.close)
            self.assertTrue(client.line().startswith("Server: Connection established on"))
            server.signal(signal.SIGHUP)
            self.assertEqual(client.line(), "Server: The server closed the connection.")
            self.assertEqual(server.wait(), 0)
            self.assertIn("Signal SIGHUP received: graceful shutdown.", server.text)


class TerminalClosedTests(SynchronousTestCase):
    def terminal(self, *args):
        server = OperatorTerminal(*args).startServing()
        self.addCleanup(server.close)
        return server

    def test_closedTerminalIsAGracefulStop(self):
        """
        Closing the operator's terminal gives the connected client the closing
        line, and the server exits 0 though it can no longer write its log.
        """
        server = self.terminal()
        client = welcomed(server.port)
        self.addCleanup(client.close)
        server.hangUp()
        self.assertEqual(client.line(), CLOSED)
        self.assertIsNone(client.line())
        self.assertEqual(server.exited(), 0)

    def test_closedTerminalWithTheQuestionOpen(self):
        """
        A terminal closed while the Ctrl+C question is open, with the log
        still writing to it: the graceful stop goes on, exit 0.
        """
        server = self.terminal("--work", "0.3")
        client = welcomed(server.port)
        self.addCleanup(client.close)
        mark = len(server.text)
        server.type(b"\x03")
        server.waitFor(PROMPT, mark)
        client.send("uno\ndos\n")
        server.waitFor("dos")
        server.hangUp()
        self.assertTrue(client.line().startswith(REPLY))
        self.assertTrue(client.line().startswith(REPLY))
        self.assertEqual(client.line(), CLOSED)
        self.assertEqual(server.exited(), 0)

    def test_closedTerminalWithBufferedLogAndTheQuestionOpen(self):
        """
        The same with tpreactor's log observer (which flushes once per
        reactor turn) and standard output buffered as it is outside tests:
        what the server still had for the terminal is dropped, and it exits 0.
        """
        server = OperatorTerminal("--work", "0.3", twistdArgs=["--logger=tpreactor.logs.console.observer"])
        server.env.pop("PYTHONUNBUFFERED", None)
        server.startServing()
        self.addCleanup(server.close)
        client = welcomed(server.port)
        self.addCleanup(client.close)
        server.interrupt()
        client.send("uno\n")
        server.waitFor("uno")
        server.hangUp()
        self.assertTrue(client.line().startswith(REPLY))
        self.assertEqual(client.line(), CLOSED)
        self.assertEqual(server.exited(), 0)

    def test_processesModeWorkersOutliveTheHangup(self):
        """
        Processes mode: the terminal closes (a SIGHUP to the server), and the
        shell that loses it sends SIGHUP to the server's whole process group;
        the workers and multiprocessing's resource tracker leave it to the
        server, so the message being worked on is answered, then the closing
        line, exit 0, and the pool's semaphores are released.
        """
        server = self.terminal("--mode", "processes", "--processes", "2", "--work", "0.5")
        client = welcomed(server.port)
        self.addCleanup(client.close)
        client.send("trabajando\n")
        server.waitFor("trabajando")
        pool = semaphoresOf(server.proc.pid)
        self.assertTrue(pool)
        server.hangUp()
        os.killpg(server.proc.pid, signal.SIGHUP)  # what bash does to its jobs
        reply = client.line()
        self.assertTrue(reply.startswith(REPLY), reply)
        self.assertEqual(client.line(), CLOSED)
        self.assertEqual(server.exited(), 0)
        self.assertEqual({path for path in pool if os.path.exists(path)}, set())


#: Run in a fresh interpreter: a process pool worker's start, then which
#: signals it leaves to the server.
WORKER_SIGNALS = (
    "import os, signal; from tpreactor.processes import _startWorker; _startWorker(os.getppid()); "
    "print(*(signal.getsignal(s) == signal.SIG_IGN for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)))"
)


class WorkerSignalsTests(SynchronousTestCase):
    def test_workersIgnoreHangups(self):
        """
        A process pool's worker ignores SIGHUP as it ignores SIGINT and
        SIGTERM: a worker started after the server took SIGHUP over (one
        replacing a dead worker, say) leaves the hang-up to the server.
        """
        out = subprocess.run([sys.executable, "-c", WORKER_SIGNALS], capture_output=True, text=True,
                             timeout=DEADLINE_SECONDS)
        self.assertEqual(out.stdout.split(), ["True", "True", "True"], out.stderr)
