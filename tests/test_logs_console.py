"""
Tests for L{tpreactor.logs.console}: the same lines as twistd's text
observer, flushed once per reactor turn.
"""

import io
import threading

from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.task import Clock
from twisted.logger import LogLevel, formatEventAsClassicLogText
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.logs.console import FLUSH_SECONDS, ConsoleObserver, batchable, flushAll, isInIOThread, observer
from tpreactor.logs.events import ConnectionLogger

NOW = 1764600000.25


def event(fmt, level=LogLevel.info, namespace="tpreactor", when=NOW, **fields):
    return dict(log_format=fmt, log_level=level, log_namespace=namespace, log_time=when, **fields)


def written(*events):
    out = io.StringIO()
    o = ConsoleObserver(out)
    for e in events:
        o(e)
    return out.getvalue()


class SameLinesTests(SynchronousTestCase):
    def assertSameAsTwisted(self, e):
        self.assertEqual(written(e), formatEventAsClassicLogText(e) or "")

    def test_ordinaryEvents(self):
        """
        The contract's console lines come out as twistd would write them.
        """
        self.assertSameAsTwisted(event("Conexión establecida con IP: {host} y Puerto: {port}", host="127.0.0.1", port=5))
        self.assertSameAsTwisted(event("Mensaje recibido de {peer}: {text}", peer="::1", text="{llaves}"))
        self.assertSameAsTwisted(event("aviso", level=LogLevel.warn, namespace="other"))

    def test_unusualEvents(self):
        """
        Events the fast path leaves alone are Twisted's to format: a system,
        a traceback, a call in the format, a missing field, no format, an
        attribute lookup, several lines.
        """
        try:
            1 / 0
        except ZeroDivisionError:
            failure = Failure()
        for e in (
            event("legacy", log_system="-"),
            event("failed", log_failure=failure),
            event("{f()}", f=lambda: "called"),
            event("{missing}"),
            dict(log_time=NOW, log_level=LogLevel.info),
            event("{n.real}", n=3),
            event("one\ntwo"),
            dict(log_format="no namespace", log_level=LogLevel.info, log_time=NOW),
            event("{log_io}", namespace="stdout", log_io=""),
        ):
            self.assertSameAsTwisted(e)

    @given(st.text(), st.floats(min_value=0, max_value=4e9), st.sampled_from(list(LogLevel.iterconstants())))
    def test_anyText(self, text, when, level):
        """
        Whatever the client's text, time and level, the line is twistd's.
        """
        self.assertSameAsTwisted(event("Mensaje recibido de {peer}: {text}", level=level, when=when,
                                       peer="127.0.0.1:1", text=text))

    def test_timeStampFollowsTheClock(self):
        """
        The time stamp, formatted once a second, still changes with the second.
        """
        lines = written(event("a", when=NOW), event("b", when=NOW + 0.5), event("c", when=NOW + 1))
        stamps = [line.split(" ")[0] for line in lines.splitlines()]
        self.assertEqual(stamps[0], stamps[1])
        self.assertNotEqual(stamps[1], stamps[2])


class FlushTests(SynchronousTestCase):
    def test_flushedTogether(self):
        """
        While the reactor runs, the lines written within L{FLUSH_SECONDS}
        are flushed together, that long after the first.
        """
        clock = Clock()
        out = FlushCounter()
        o = ConsoleObserver(out, clock.callLater, lambda: True, inReactorThread=lambda: True)
        o(event("a"))
        clock.advance(FLUSH_SECONDS / 2)
        o(event("b"))
        self.assertEqual(out.flushes, 0)
        clock.advance(FLUSH_SECONDS / 2)
        self.assertEqual(out.flushes, 1)
        self.assertEqual(len(out.getvalue().splitlines()), 2)
        o(event("c"))
        clock.advance(FLUSH_SECONDS)
        self.assertEqual(out.flushes, 2)

    def test_heldAndWrittenInOneCall(self):
        """
        For a stream that is no terminal, the lines wait in the observer and
        are written in one call at the flush; a process that ends at once
        writes them with L{flushAll}.
        """
        clock = Clock()
        out = WriteCounter()
        o = ConsoleObserver(out, clock.callLater, lambda: True, inReactorThread=lambda: True)
        self.assertTrue(o.batch)
        o(event("a"))
        o(event("b"))
        self.assertEqual(out.writes, 0)
        clock.advance(FLUSH_SECONDS)
        self.assertEqual((out.writes, out.flushes, len(out.getvalue().splitlines())), (1, 1, 2))
        o(event("c"))
        flushAll()
        self.assertEqual((out.writes, len(out.getvalue().splitlines())), (2, 3))
        clock.advance(FLUSH_SECONDS)
        self.assertEqual(out.writes, 2)

    def test_connectionEventsFormattedAtTheFlush(self):
        """
        A connection's events wait unformatted until the flush and come out
        as twistd writes them; any other event is formatted when logged, so
        a field changed later does not change its line.
        """
        clock = Clock()
        out = WriteCounter()
        o = ConsoleObserver(out, clock.callLater, lambda: True, inReactorThread=lambda: True)
        ConnectionLogger(namespace="tpreactor", observer=o).info("Mensaje recibido de {peer}: {text}",
                                                                 peer="127.0.0.1:1", text="{hola}")
        changing = ["antes"]
        other = event("{items[0]}", items=changing)
        o(other)
        changing[0] = "después"
        [held, formatted] = o._held
        self.assertIsInstance(held, dict)
        self.assertTrue(formatted.endswith("] antes\n"))
        clock.advance(FLUSH_SECONDS)
        first, second = out.getvalue().splitlines(True)
        self.assertEqual(first, formatEventAsClassicLogText(held))
        self.assertTrue(first.endswith("[tpreactor#info] Mensaje recibido de 127.0.0.1:1: {hola}\n"))
        self.assertTrue(second.endswith("] antes\n"))

    def test_heldLinesFirst(self):
        """
        A line written at once (the reactor stopped) comes after the lines held.
        """
        clock = Clock()
        out = WriteCounter()
        running = [True]
        o = ConsoleObserver(out, clock.callLater, lambda: running[0], inReactorThread=lambda: True)
        o(event("a"))
        running[0] = False
        o(event("b"))
        self.assertEqual([line.split("] ")[1] for line in out.getvalue().splitlines()], ["a", "b"])

    def test_terminalsAndLogFilesGetEveryLine(self):
        """
        A terminal's stream, and what is no text stream (the operator's
        screen, a twistd log file), get each line as it is logged.
        """

        class Terminal(io.StringIO):
            def isatty(self):
                return True

        self.assertFalse(batchable(Terminal()))
        self.assertFalse(batchable(object()))
        self.assertTrue(batchable(io.StringIO()))
        clock = Clock()
        out = Terminal()
        o = ConsoleObserver(out, clock.callLater, lambda: True, inReactorThread=lambda: True)
        o(event("a"))
        self.assertIn("] a", out.getvalue())

    def test_reactorThread(self):
        """
        The reactor's thread is the one twistd registered as the I/O thread.
        """
        from twisted.python import threadable

        self.patch(threadable, "ioThread", threading.get_ident())
        self.assertTrue(isInIOThread())
        seen = []
        worker = threading.Thread(target=lambda: seen.append(isInIOThread()))
        worker.start()
        worker.join()
        self.assertEqual(seen, [False])

    def test_flushedAtOnceWithoutAReactor(self):
        """
        Before the reactor runs and after it stops, every line is flushed at once.
        """
        clock = Clock()
        out = FlushCounter()
        o = ConsoleObserver(out, clock.callLater, lambda: False)
        o(event("a"))
        self.assertEqual(out.flushes, 1)
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_flushedAtOnceFromAnotherThread(self):
        """
        A line logged from a worker thread is flushed at once: C{callLater}
        belongs to the reactor thread.
        """
        clock = Clock()
        out = FlushCounter()
        o = ConsoleObserver(out, clock.callLater, lambda: True, inReactorThread=lambda: False)
        o(event("a"))
        self.assertEqual(out.flushes, 1)
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_twistdFactory(self):
        """
        C{observer()} is what C{twistd --logger} calls: an observer of standard output.
        """
        o = observer()
        self.assertIsInstance(o, ConsoleObserver)


class FlushCounter(io.StringIO):
    flushes = 0

    def flush(self):
        self.flushes += 1
        io.StringIO.flush(self)


class WriteCounter(FlushCounter):
    writes = 0

    def write(self, text):
        self.writes += 1
        return FlushCounter.write(self, text)


class ChatterTests(SynchronousTestCase):
    CHATTER = [
        event("{log_text}", namespace="log_legacy", log_text="TimeFactory starting on 6667"),
        event("{log_text}", namespace="log_legacy", log_text="GuestSite starting on 8080"),
        event("{log_text}", namespace="log_legacy", log_text="TimeFactory (HeaderFirstFactory) starting on 6667"),
        event("{log_text}", namespace="log_legacy", log_text="GuestSite starting on '/run/status.sock'"),
        event("{log_text}", namespace="log_legacy", log_text="(UNIX Port '/run/status.sock' Closed)"),
        event("{log_text}", namespace="log_legacy", log_text="(TCP Port 6667 Closed)"),
        event("{log_text}", namespace="log_legacy", log_text="Starting factory <Factory>"),
        event("{log_text}", namespace="log_legacy", log_text="Server Shut Down."),
        event("twistd 26.10.0 starting up.", namespace="twisted.scripts._twistd_unix.UnixAppLogger"),
        event("reactor class: x.", namespace="twisted.scripts._twistd_unix.UnixAppLogger"),
        event("Main loop terminated.", namespace="twisted.internet.base"),
    ]

    def test_consoleShowsTheServersLinesOnly(self):
        """
        On the operator's console, Twisted's lines about itself (ports, factories, twistd's start and end) are not written; the server's are.
        """
        out = io.StringIO()
        o = ConsoleObserver(out, console=True)
        for e in self.CHATTER:
            o(e)
        o(event("Servidor en modo reactor escuchando en 127.0.0.1:6667"))
        self.assertEqual(out.getvalue().count("\n"), 1)
        self.assertIn("escuchando en", out.getvalue())

    def test_logFileKeepsThem(self):
        """
        A log file (not the console) keeps Twisted's own lines.
        """
        self.assertEqual(written(*self.CHATTER).count("\n"), len(self.CHATTER))

    def test_problemsAlwaysShown(self):
        """
        Twisted's warnings and errors, and its other legacy lines, reach the console.
        """
        out = io.StringIO()
        o = ConsoleObserver(out, console=True)
        o(event("{log_text}", level=LogLevel.error, namespace="log_legacy", log_text="(TCP Port 6667 Closed)"))
        o(event("{log_text}", namespace="log_legacy", log_text="something else"))
        o(event("Main loop terminated badly.", level=LogLevel.warn, namespace="twisted.internet.base"))
        self.assertEqual(out.getvalue().count("\n"), 3)
