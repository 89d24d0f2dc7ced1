"""
A worker's console lines, with the worker's number before the text, on a
pipe to the main process: records that it logs again, or twistd's lines
that it copies.
"""

import io

from twisted.logger import LogLevel, capturedLogs, formatEvent
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.workers.logs import PIPE_BUF, Relay, WorkerLines, WorkerObserver, linesWanted, record, workerPrefix


def event(fmt, level=LogLevel.info, namespace="tpreactor", **fields):
    return dict(fields, log_format=fmt, log_level=level, log_namespace=namespace)


class WorkerObserverTests(SynchronousTestCase):
    def setUp(self):
        self.written = []
        self.calls = []
        self.observer = WorkerObserver(2, self.written.append, lambda delay, f: self.calls.append(f) or f,
                                       running=lambda: True)

    def test_oneWritePerTurn(self):
        """
        The events of one reactor turn go out in one write, at its end.
        """
        self.observer(event("uno {x}", x=1))
        self.observer(event("dos"))
        self.assertEqual(self.written, [])
        self.assertEqual(len(self.calls), 1)
        self.calls.pop()()
        self.assertEqual(self.written, [record("info", "tpreactor", "[w2] uno 1").encode()
                                        + record("info", "tpreactor", "[w2] dos").encode()])

    def test_clientTextIsAFieldValue(self):
        """
        Client text with braces and newlines goes through as it was.
        """
        self.observer(event("Mensaje recibido de {peer}: {text}", peer="p", text="{x}\nmás"))
        self.observer.flush()
        with capturedLogs() as events:
            Relay().received(self.written[0])
        self.assertEqual([formatEvent(e) for e in events], ["[w2] Mensaje recibido de p: {x}\nmás"])

    def test_traceback(self):
        """
        An event with a failure carries its traceback.
        """
        try:
            1 / 0
        except ZeroDivisionError:
            failure = Failure()
        self.observer(dict(event("falló", level=LogLevel.critical), log_failure=failure))
        self.observer.flush()
        self.assertIn("ZeroDivisionError", self.written[0].decode())

    def test_notRunning(self):
        """
        Outside a running reactor each event is written at once.
        """
        observer = WorkerObserver(1, self.written.append)
        observer(event("hola"))
        self.assertEqual(len(self.written), 1)


class RelayTests(SynchronousTestCase):
    def test_levelsNamespacesAndPartialLines(self):
        """
        Each record is logged again with its level and namespace, whatever the pipe's chunks.
        """
        data = (record("warn", "tpreactor", "[w1] uno") + record("info", "twisted", "[w1] dos")).encode()
        relay = Relay()
        with capturedLogs() as events:
            for i in range(len(data)):
                relay.received(data[i:i + 1])
        self.assertEqual([(e["log_level"], e["log_namespace"], formatEvent(e)) for e in events],
                         [(LogLevel.warn, "tpreactor", "[w1] uno"), (LogLevel.info, "twisted", "[w1] dos")])

    def test_strayOutput(self):
        """
        A line that is not a record (a print before logging began) is logged as it is.
        """
        relay = Relay()
        with capturedLogs() as events:
            relay.received(b"algo suelto")
            relay.ended()
        self.assertEqual([formatEvent(e) for e in events], ["algo suelto"])
        self.assertEqual(workerPrefix(3), "[w3] ")


class LinesTests(SynchronousTestCase):
    def test_workerWritesTwistdLines(self):
        """
        In the lines form a worker writes twistd's line, its number before the text.
        """
        written = []
        observer = WorkerLines(2, written.append)
        observer(dict(event("Conexión establecida con IP: {host}", host="127.0.0.1"), log_time=0.0))
        observer.flush()
        line = b"".join(written).decode()
        self.assertRegex(line, r"^\S+ \[tpreactor#info\] \[w2\] Conexión establecida con IP: 127\.0\.0\.1\n$")

    def test_writesWholeLinesUnderPipeBuf(self):
        """
        Much output goes out in writes of whole lines, none over PIPE_BUF bytes.
        """
        written = []
        observer = WorkerLines(1, written.append)
        for i in range(200):
            observer(dict(event("{i} " + "x" * 90, i=i), log_time=0.0))
        observer.flush()
        self.assertGreater(len(written), 1)
        self.assertTrue(all(len(data) <= PIPE_BUF and data.endswith(b"\n") for data in written))
        self.assertEqual(b"".join(written).count(b"\n"), 200)

    def test_mainCopiesWholeLines(self):
        """
        The main process copies whole lines to its output, however the pipe cuts them.
        """
        out = io.StringIO()
        relay = Relay(lines=True, out=out)
        relay.received(b"uno\ndo")
        self.assertEqual(out.getvalue(), "uno\n")
        relay.received(b"s\n")
        relay.received(b"tres")
        relay.ended()
        self.assertEqual(out.getvalue(), "uno\ndos\ntres\n")

    def test_linesOnlyWhereTwistdWritesThem(self):
        """
        Workers write their own lines only when the main process logs to its
        standard output with twistd's text format.
        """
        plain = {"nodaemon": True, "logfile": None, "logger": None, "syslog": False}
        self.assertTrue(linesWanted(plain))
        self.assertTrue(linesWanted(dict(plain, logger="tpreactor.logs.console.observer")))
        self.assertFalse(linesWanted(dict(plain, logfile="/var/log/tp.log")))
        self.assertFalse(linesWanted(dict(plain, nodaemon=False)))
        self.assertFalse(linesWanted(dict(plain, logger="my.json.observer")))
        self.assertFalse(linesWanted(None))
