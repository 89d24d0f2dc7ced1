"""
Serial mode's queue end to end: the clients waiting their turn in the
kernel's backlog (not accepted yet, since the server does not accept while
it serves) are counted by `clientes` and by the summaries of options 1 and 2.
"""

import re
import signal

from twisted.trial.unittest import SynchronousTestCase

from .contract import CLOSED
from .operatorterminal import OperatorTerminal
from .support import LineClient, ServerProcess, untilQueued, welcomed


def inBacklog(port, count):
    """
    C{count} clients that connect while another is served: the kernel
    completes their connections and queues them, unaccepted.
    """
    clients = [LineClient(port) for _ in range(count)]
    untilQueued(port, count)
    return clients


def closeAll(testCase, clients):
    for client in clients:
        testCase.addCleanup(client.close)


class ClientsCommandTests(SynchronousTestCase):
    def test_clientsCountsTheKernelsBacklog(self):
        """
        `clientes` counts the clients waiting in the kernel's backlog as
        waiting, and says in one line that they are there; option 1 then
        says it reset them.
        """
        server = OperatorTerminal("--mode", "serial").startServing()
        self.addCleanup(server.close)
        served = welcomed(server.port)
        queued = inBacklog(server.port, 2)
        closeAll(self, [served, *queued])
        out = server.command("clientes", "en la cola del kernel")
        server.read(0.2)
        out = server.text[server.text.rindex("Conexiones activas"):]
        lines = out.splitlines()
        self.assertEqual(lines[0], "Conexiones activas: 1, en espera: 2")
        self.assertTrue(lines[1].startswith(f"127.0.0.1:{served.localPort}  conectado el"), lines[1])
        self.assertEqual(
            lines[2],
            "2 más en espera de su turno en la cola del kernel (aún sin aceptar: su dirección no se conoce)",
        )
        server.interrupt()
        server.command("1", "Socket del servidor cerrado.")
        server.waitFor("Conexiones en la cola del kernel rechazadas al cerrar el socket: 2.")
        served.ask("salir")
        self.assertEqual(server.wait(), 0)

    def test_clientsInEnglish(self):
        """
        With --lang en the backlog's line is in English.
        """
        server = OperatorTerminal("--mode", "serial", "--lang", "en").startServing()
        self.addCleanup(server.close)
        served = LineClient(server.port)
        self.assertTrue(served.line().startswith("Server: Connection established on"))
        queued = inBacklog(server.port, 1)
        closeAll(self, [served, *queued])
        server.command("list", "kernel's queue")
        server.read(0.2)
        out = server.text[server.text.rindex("Active connections"):]
        self.assertTrue(out.startswith("Active connections: 1, waiting: 1\r\n"), out)
        self.assertIn("1 more waiting their turn in the kernel's queue (not accepted yet: address unknown)", out)


class ShutdownSummaryTests(SynchronousTestCase):
    def test_summaryCountsTheBacklog(self):
        """
        SIGTERM in serial mode with one client served and one in the kernel's
        backlog: both get the closing line, and both summaries count two
        connections, one of them waiting.
        """
        with ServerProcess("--mode", "serial") as server:
            served = welcomed(server.port)
            queued = inBacklog(server.port, 1)
            closeAll(self, [served, *queued])
            server.signal(signal.SIGTERM)
            for client in [served, *queued]:
                self.assertEqual(client.line(), CLOSED)
                self.assertIsNone(client.line())
            self.assertEqual(server.wait(), 0)
            text = server.text
            self.assertEqual(len(re.findall("desconectado por el servidor: cierre del servidor", text)), 2)
            self.assertIn("Conexiones abiertas: 2 (en espera: 1)", text)
            self.assertIn("conexiones cerradas: 2;", text)

    def test_optionTwoCountsHeldAndBacklog(self):
        """
        Option 2 in serial mode with one client served, two held by the
        server and one in the kernel's backlog: the summaries count all four,
        three of them waiting, as the four closing lines say.
        """
        server = OperatorTerminal("--mode", "serial").startServing()
        self.addCleanup(server.close)
        served, held = _servedAndHeld(server.port, 2)
        queued = inBacklog(server.port, 1)
        closeAll(self, [served, *held, *queued])
        server.interrupt()
        server.type("2\n")
        for client in [served, *held, *queued]:
            self.assertEqual(client.line(), CLOSED)
        self.assertEqual(server.wait(), 0)
        text = server.text
        self.assertEqual(len(re.findall("desconectado por el servidor: cierre del servidor", text)), 4)
        self.assertIn("Conexiones abiertas: 4 (en espera: 3)", text)
        self.assertIn("conexiones cerradas: 4;", text)


def _servedAndHeld(port, held):
    """
    A client served and C{held} clients the server holds for their turn: A
    is served while the others connect (they wait in the kernel's backlog);
    A leaves, B is served; B leaves, C is served and the accept that took C
    took the rest too (Twisted accepts more per wake-up once it has seen a
    busy port), who are now held, unwelcomed.
    """
    first = welcomed(port)
    others = [LineClient(port) for _ in range(2 + held)]
    for leaving in [first, others[0]]:
        if leaving is not first:
            assert leaving.line().startswith("Servidor: Conexión establecida el")
        leaving.ask("salir")
        leaving.close()
    served = others[1]
    assert served.line().startswith("Servidor: Conexión establecida el")
    return served, others[2:]
