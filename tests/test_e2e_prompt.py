"""
The Ctrl+C question stays readable in a real terminal: a log line written
while it waits for its answer goes on a line of its own above the prompt,
and the prompt is shown again below it, with twistd's log observer and with
tpreactor's (`--logger`).
"""

import re

from twisted.trial.unittest import SynchronousTestCase

from .contract import CLOSED, PROMPT
from .operatorterminal import OperatorTerminal, screenLines
from .support import welcomed

CONSOLE_LOGGER = "--logger=tpreactor.logs.console.observer"
#: A log line as the screen shows it: the time stamp first.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
#: How long the prompt may take to come back below a log line.
REDRAW_SECONDS = 5.0


class PromptTests(SynchronousTestCase):
    def serverWithTheQuestionOpen(self, *args, twistdArgs=()):
        server = OperatorTerminal(*args, twistdArgs=twistdArgs).startServing()
        self.addCleanup(server.close)
        return server, server.interrupt()

    def assertLogAbovePrompt(self, server, mark, logged):
        """
        The screen from C{mark} on shows the line with C{logged} on its own,
        starting with its time stamp, and the prompt alone on the last line.
        """
        after = re.compile(re.escape(logged) + r".*\n.*" + re.escape(PROMPT), re.S)
        server.waitFor(after, mark, deadline=REDRAW_SECONDS)
        lines = screenLines(server.text[mark:])
        logLines = [line for line in lines if logged in line]
        self.assertEqual(len(logLines), 1, lines)
        self.assertRegex(logLines[0], LOG_LINE)
        self.assertEqual(lines[-1], PROMPT, lines)
        self.assertEqual([line for line in lines if PROMPT in line], [PROMPT], lines)

    def answerTwo(self, server, clients):
        server.type("2\n")
        for client in clients:
            self.assertEqual(client.line(), CLOSED)
        self.assertEqual(server.wait(), 0)

    def test_logLineAboveThePrompt(self):
        """
        A client connects while the question is open: its log line is above
        the prompt, which is shown again, and the answer still works.
        """
        server, mark = self.serverWithTheQuestionOpen()
        client = welcomed(server.port)
        self.addCleanup(client.close)
        self.assertLogAbovePrompt(server, mark, f"Puerto: {client.localPort}")
        self.answerTwo(server, [client])

    def test_logLineAboveThePromptWithTpreactorsObserver(self):
        """
        The same with tpreactor's own log observer (`--logger`).
        """
        server, mark = self.serverWithTheQuestionOpen(twistdArgs=[CONSOLE_LOGGER])
        client = welcomed(server.port)
        self.addCleanup(client.close)
        self.assertLogAbovePrompt(server, mark, f"Puerto: {client.localPort}")
        self.answerTwo(server, [client])

    def test_severalLogLines(self):
        """
        Several log lines (a client connects, sends, leaves) while the
        question is open all go above the one prompt.
        """
        server, mark = self.serverWithTheQuestionOpen()
        client = welcomed(server.port)
        port = client.localPort
        client.ask("mientras pregunto")
        client.ask("salir")
        client.close()
        self.assertLogAbovePrompt(server, mark, f"Cliente 127.0.0.1:{port} ha cerrado la conexión.")
        lines = screenLines(server.text[mark:])
        self.assertTrue(any("Mensaje recibido de" in line and LOG_LINE.match(line) for line in lines), lines)
        self.answerTwo(server, [])
