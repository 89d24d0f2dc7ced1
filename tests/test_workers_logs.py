"""
A worker's console lines: its number before the text, written in whole
lines no longer than a pipe keeps in one piece.
"""

from twisted.logger import LogLevel
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.workers.logs import PIPE_BUF, LineWriter, WorkerObserver, workerPrefix


class LineWriterTests(SynchronousTestCase):
    def setUp(self):
        self.writes = []
        self.writer = LineWriter(7, write=lambda fd, data: self.writes.append((fd, data)) or len(data))

    def test_nothingUntilFlushed(self):
        """
        Text is written only when flushed, all of it in one write when it fits.
        """
        self.writer.write("uno\n")
        self.writer.write("dos\n")
        self.assertEqual(self.writes, [])
        self.writer.flush()
        self.assertEqual(self.writes, [(7, b"uno\ndos\n")])

    def test_wholeLinesUnderPipeBuf(self):
        """
        Much text goes out in writes of whole lines, none over PIPE_BUF bytes.
        """
        lines = [f"{i:05d} " + "x" * 90 + "\n" for i in range(200)]
        for line in lines:
            self.writer.write(line)
        self.writer.flush()
        self.assertTrue(all(len(data) <= PIPE_BUF and data.endswith(b"\n") for _, data in self.writes))
        self.assertEqual(b"".join(data for _, data in self.writes), "".join(lines).encode())

    def test_partialWrites(self):
        """
        What the kernel did not take is written again.
        """
        taken = []

        def write(fd, data):
            taken.append(data[:3])
            return min(3, len(data))

        writer = LineWriter(1, write=write)
        writer.write("abcdefg\n")
        writer.flush()
        self.assertEqual(b"".join(taken), b"abcdefg\n")


class WorkerObserverTests(SynchronousTestCase):
    def test_prefix(self):
        """
        Every event's text begins with the worker's number; its fields are kept.
        """
        seen = []
        observer = WorkerObserver(2, seen.append)
        observer({"log_format": "Mensaje recibido de {peer}: {text}", "peer": "p", "text": "{x}",
                  "log_level": LogLevel.info})
        self.assertEqual(seen[0]["log_format"], "[w2] Mensaje recibido de {peer}: {text}")
        self.assertEqual(seen[0]["text"], "{x}")
        self.assertEqual(workerPrefix(2), "[w2] ")
