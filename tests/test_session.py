"""
Tests for L{tpreactor.session}: a connection's life as one explicit state.
The transition table is walked row by row, on paper (L{step}) and for real
(an in-memory connection brought to the row's state and given its input);
the inputs outside the table are ignored or refused as designed.
"""

from twisted.internet.task import Clock
from twisted.logger import capturedLogs, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.protocol import TimeProtocol
from tpreactor.session import (
    CLOSE_TIMEOUT_SECONDS,
    EOF,
    FULL,
    IDLE,
    IGNORED,
    OPERATOR,
    QUIT,
    SERVING,
    SHUTDOWN,
    TOO_LONG,
    TRANSITIONS,
    WAITING,
    CloseDeadlines,
    IllegalInput,
    Input,
    Phase,
    stateOf,
    step,
)

from .contract import CLOSED as CLOSED_LINE, DATED_REPLY as REPLY, DATED_WELCOME as WELCOME
from .memory import ManualExecutor, Server, serialServer

W, S, D, E, C, X = Phase
I = Input
LAST_LINES = {
    QUIT: "Servidor: Conexión finalizada. Tiempo total de conexión: 0:00:00",
    TOO_LONG: "Servidor: Error: mensaje demasiado largo (máximo 8 bytes).",
    IDLE: "Servidor: Conexión cerrada por inactividad.",
    FULL: "Servidor: Servidor lleno, intente más tarde.",
    OPERATOR: CLOSED_LINE,
    SHUTDOWN: CLOSED_LINE,
}


def reply(elapsed):
    return REPLY + elapsed


def at(phase, reason=None):
    return stateOf(phase, reason)


_CLOSING = ("sayLastLine", "close")
_ENDING = ("stopReading", "drain")
_DRAINING = ("stopTimers", "frameRest")
_GONE = ("stopReading", "dropQueue", "forget")

#: (state, input, the input's reason) -> (next state, outputs): at least one
#: example for every row of the table, written out independently of it.
EXAMPLES = [
    (at(W), I.SERVE, None, at(S), ("welcome",)),
    (at(W), I.READ_END, None, at(C, EOF), ("stopReading", "sayLastLine", "close")),
    (at(W), I.CLOSE, SHUTDOWN, at(C, SHUTDOWN), _CLOSING),
    (at(W), I.CLOSE_NOW, FULL, at(C, FULL), _CLOSING),
    (at(W), I.WRITE_END, None, at(C), ("stopReading", "close")),
    (at(W), I.LOST, None, at(X), _GONE),
    (at(S), I.QUIT, None, at(E, QUIT), _ENDING),
    (at(S), I.TOO_LONG, None, at(E, TOO_LONG), _ENDING),
    (at(S), I.READ_END, None, at(D, EOF), _DRAINING),
    (at(S), I.CLOSE, IDLE, at(D, IDLE), _DRAINING),
    (at(S), I.CLOSE_NOW, SHUTDOWN, at(C, SHUTDOWN), ("stopReading", "dropQueue", "sayLastLine", "close")),
    (at(S), I.WRITE_END, None, at(C), ("stopReading", "dropQueue", "close")),
    (at(S), I.LOST, None, at(X), _GONE),
    (at(S), I.LOST, QUIT, at(X, QUIT), _GONE),
    (at(D, EOF), I.QUIT, None, at(E, QUIT), _ENDING),
    (at(D, SHUTDOWN), I.TOO_LONG, None, at(E, TOO_LONG), _ENDING),
    (at(D, OPERATOR), I.FRAMED, None, at(E, OPERATOR), _ENDING),
    (at(D, EOF), I.DRAIN_TIMEOUT, None, at(E, EOF), _ENDING),
    (at(D, EOF), I.CLOSE, SHUTDOWN, at(D, SHUTDOWN), ()),
    (at(D, IDLE), I.CLOSE, SHUTDOWN, at(D, IDLE), ()),
    (at(D, EOF), I.CLOSE_NOW, SHUTDOWN, at(C, SHUTDOWN), ("stopReading", "dropQueue", "sayLastLine", "close")),
    (at(D, IDLE), I.WRITE_END, None, at(C, IDLE), ("stopReading", "dropQueue", "close")),
    (at(D, EOF), I.LOST, None, at(X, EOF), _GONE),
    (at(E, QUIT), I.ANSWERED, None, at(C, QUIT), _CLOSING),
    (at(E, EOF), I.CLOSE, SHUTDOWN, at(E, SHUTDOWN), ()),
    (at(E, QUIT), I.CLOSE, SHUTDOWN, at(E, QUIT), ()),
    (at(E, TOO_LONG), I.CLOSE_NOW, SHUTDOWN, at(C, SHUTDOWN), ("dropQueue", "sayLastLine", "close")),
    (at(E, EOF), I.WRITE_END, None, at(C, EOF), ("dropQueue", "close")),
    (at(E, IDLE), I.LOST, None, at(X, IDLE), _GONE),
    (at(C, QUIT), I.LOST, None, at(X, QUIT), _GONE),
]

#: What may arrive late and means nothing.
EXPECTED_IGNORED = {
    (S, I.SERVE), (D, I.SERVE), (E, I.SERVE), (C, I.SERVE), (X, I.SERVE),
    (D, I.READ_END), (E, I.READ_END), (C, I.READ_END),
    (C, I.CLOSE), (C, I.CLOSE_NOW), (X, I.CLOSE), (X, I.CLOSE_NOW),
    (C, I.WRITE_END),
}


class TransitionTableTests(SynchronousTestCase):
    def test_everyRowHasAnExample(self):
        """
        The examples cover every row of the table, and no row is missing
        from the table.
        """
        self.assertEqual({(state.phase, input) for state, input, *_ in EXAMPLES}, set(TRANSITIONS))

    def test_rows(self):
        """
        Each (state, input) gives the next state and the outputs of its row.
        """
        for state, input, reason, nextState, outputs in EXAMPLES:
            self.assertEqual(step(state, input, reason), (nextState, outputs), (state, input, reason))
            self.assertIs(step(state, input, reason)[0], nextState)

    def test_outputsAreMethods(self):
        """
        Every output the table names is a method of the protocol.
        """
        for _, _, outputs in TRANSITIONS.values():
            for output in outputs:
                self.assertTrue(callable(getattr(TimeProtocol, "_" + output, None)), output)

    def test_statesAreOne(self):
        """
        One phase and one reason make one state object, shown as C{phase(reason)}.
        """
        self.assertIs(stateOf(E, QUIT), stateOf(E, QUIT))
        self.assertEqual((repr(WAITING), repr(at(E, QUIT))), ("waiting", "ending(quit)"))


class WalkTests(SynchronousTestCase):
    """
    Every example of the table, for real: an in-memory connection is brought
    to the state, given the input through the protocol's own entry points,
    and ends in the next state with the outputs' effects.
    """

    def reach(self, state, paused=False, buffered=b"uno\n"):
        executor = ManualExecutor()
        if state.phase is W:
            server = serialServer(executor=executor, maxLineLength=8)
            server.connect()
            client = server.connect()
        else:
            server = Server(executor=executor, maxLineLength=8)
            client = server.connect()
            client.send(b"cero\n")  # its work runs until the test says
            if paused or state.phase is D:
                client.protocol.pauseProducing()
                client.send(buffered)
            if state.phase is not S:
                self.end(client, state.reason)
            if state.phase is C:
                executor.complete()
        self.assertIs(client.protocol.state, state)
        client.lines()
        return server, client, executor

    def end(self, client, reason):
        if reason == QUIT:
            client.send(b"salir\n")
        elif reason == TOO_LONG:
            client.send(b"x" * 20 + b"\n")
        elif reason == EOF:
            client.protocol.readConnectionLost()
        else:
            client.protocol.closeByServer(reason)

    def fire(self, server, client, executor, state, input, reason):
        protocol = client.protocol
        if input is I.SERVE:
            protocol.startServing()
        elif input in (I.QUIT, I.TOO_LONG) and state.phase is S:
            client.send(b"salir\n" if input is I.QUIT else b"x" * 20 + b"\n")
        elif input in (I.QUIT, I.TOO_LONG, I.FRAMED):
            protocol.resumeProducing()  # the buffer holds the line
        elif input is I.READ_END:
            protocol.readConnectionLost()
        elif input in (I.CLOSE, I.CLOSE_NOW):
            protocol.closeByServer(reason, atOnce=input is I.CLOSE_NOW)
        elif input is I.DRAIN_TIMEOUT:
            server.clock.advance(CLOSE_TIMEOUT_SECONDS)
        elif input is I.ANSWERED:
            executor.complete()
        elif input is I.WRITE_END:
            protocol.writeConnectionLost()
        elif input is I.LOST:
            if reason == QUIT:
                client.send(b"salir")
            client.lose()

    def test_walk(self):
        """
        Each example's input, given for real in its state, leads to its next
        state: the welcome, the last line, the close and the goodbye to the
        factory happen exactly when the row says.
        """
        buffers = {I.QUIT: b"salir\n", I.TOO_LONG: b"x" * 20 + b"\n"}
        for state, input, reason, nextState, outputs in EXAMPLES:
            row = (state, input, reason)
            server, client, executor = self.reach(
                state, paused=nextState.phase is D, buffered=buffers.get(input, b"uno\n")
            )
            self.fire(server, client, executor, state, input, reason)
            self.assertIs(client.protocol.state, nextState, row)
            lines = client.lines()
            if "welcome" in outputs:
                self.assertEqual(lines[:1], [WELCOME], row)
            if "sayLastLine" in outputs and nextState.reason in LAST_LINES:
                self.assertEqual(lines[-1:], [LAST_LINES[nextState.reason]], row)
            elif "welcome" not in outputs:
                self.assertEqual([line for line in lines if not line.startswith(REPLY)], [], row)
            self.assertEqual(client.closing, "close" in outputs or state.phase is C, row)
            self.assertEqual(client.protocol in server.factory.connections, nextState.phase is not X, row)


class IllegalInputTests(SynchronousTestCase):
    def test_ignoredAsDesigned(self):
        """
        The inputs that may come late (a turn, an end of input, a close once
        the end is decided) are ignored, and only those.
        """
        self.assertEqual(IGNORED, EXPECTED_IGNORED)
        for phase, input in EXPECTED_IGNORED:
            self.assertIsNone(step(at(phase, EOF if phase in (D, E, C, X) else None), input, SHUTDOWN))

    def test_everyOtherInputIsRefused(self):
        """
        An input neither in the table nor ignored is refused: it is a bug.
        """
        refused = 0
        for phase in Phase:
            for input in Input:
                if (phase, input) in TRANSITIONS or (phase, input) in IGNORED:
                    continue
                refused += 1
                with self.assertRaises(IllegalInput):
                    step(at(phase, EOF if phase in (D, E, C, X) else None), input)
        self.assertEqual(refused, len(Phase) * len(Input) - len(TRANSITIONS) - len(IGNORED))

    def test_refusedInputChangesNothing(self):
        """
        A refused input raises, and the state and the client's lines stay.
        """
        client = Server().connect()
        client.lines()
        with self.assertRaises(IllegalInput):
            client.protocol._advance(Input.ANSWERED)
        self.assertIs(client.protocol.state, SERVING)
        self.assertEqual(client.lines(), [])

    def test_secondTurnIsIgnored(self):
        """
        Serving a client already served welcomes it once.
        """
        client = Server().connect()
        client.protocol.startServing()
        self.assertEqual(client.lines(), [WELCOME])

    def test_closeAfterTheEndIsIgnored(self):
        """
        Closing a connection that is closing or gone writes nothing more.
        """
        client = Server().connect()
        client.lines()
        client.send(b"salir\n")
        client.lines()
        client.protocol.closeByServer(SHUTDOWN)
        client.protocol.closeByServer(OPERATOR, atOnce=True)
        client.protocol.readConnectionLost()
        client.lose()
        client.protocol.closeByServer(SHUTDOWN)
        self.assertEqual(client.lines(), [])
        self.assertIs(client.protocol.state, at(X, QUIT))

    def test_nothingIsReadWhileWaiting(self):
        """
        A client waiting its turn is not read: what it sends is no message.
        """
        server = serialServer()
        first = server.connect()
        second = server.connect()
        second.send(b"hola\n")
        self.assertEqual(second.lines(), [])
        self.assertIs(second.protocol.state, WAITING)
        first.lose()
        self.assertEqual(second.lines(), [WELCOME])


class WelcomeTests(SynchronousTestCase):
    def test_welcome(self):
        """
        The client is welcomed at once with the date it connected.
        """
        client = Server().connect()
        self.assertEqual(client.lines(), [WELCOME])

    def test_welcomeEnglish(self):
        """
        The welcome is in the server's language.
        """
        client = Server(lang="en").connect()
        self.assertEqual(
            client.lines(),
            ["Server: Connection established on May 13 at 15:15. You can send messages to the server."],
        )

    def test_idleConnectionStaysSmall(self):
        """
        A welcomed idle connection keeps its shared defaults on the class:
        few attributes of its own.
        """
        client = Server().connect()
        self.assertLessEqual(len(vars(client.protocol)), 10)
        client.send(b"hola\n")
        self.assertLessEqual(len(vars(client.protocol)), 14)


class ServerCloseTests(SynchronousTestCase):
    def test_shutdownAfterPendingReplies(self):
        """
        The closing line comes after every message received is answered.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.closeByServer(SHUTDOWN)
        client.send(b"tarde\n")
        self.assertEqual(client.lines(), [])
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00"), CLOSED_LINE])
        self.assertTrue(client.closing)

    def test_atOnceDropsPending(self):
        """
        Closing at once sends the closing line now; the pending reply is dropped.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        self.assertEqual(client.protocol.pending, 1)
        client.protocol.closeByServer(SHUTDOWN, atOnce=True)
        self.assertEqual(client.lines(), [CLOSED_LINE])

    def test_lateResultAfterAtOnceClose(self):
        """
        Work that finishes after the closing line was sent writes nothing.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        protocol = client.protocol
        batch = protocol.takeBatch(64)
        protocol.closeByServer(SHUTDOWN, atOnce=True)
        protocol.batchDone([None] * len(batch))
        self.assertEqual(client.lines(), [CLOSED_LINE])

    def test_halfClosedClientGetsTheClosingLine(self):
        """
        A client that stopped sending while its replies were still on their
        way gets them, then the closing line, when the server closes.
        """
        executor = ManualExecutor()
        client = Server(executor=executor).connect()
        client.lines()
        client.send(b"uno\n")
        client.protocol.readConnectionLost()
        client.protocol.closeByServer(SHUTDOWN)
        executor.complete()
        self.assertEqual(client.lines(), [reply("0:00:00"), CLOSED_LINE])
        self.assertTrue(client.closing)

    def test_pausedHalfClosedClientGetsTheClosingLine(self):
        """
        The same while its lines still wait unframed: the server's reason
        replaces the end of input.
        """
        client = Server().connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"uno\n")
        client.protocol.readConnectionLost()
        client.protocol.closeByServer(SHUTDOWN)
        client.protocol.closeByServer(OPERATOR)
        client.protocol.resumeProducing()
        self.assertEqual(client.lines(), [reply("0:00:00"), CLOSED_LINE])
        with capturedLogs() as events:
            client.lose()
        self.assertEqual(
            [formatEvent(e) for e in events],
            ["Cliente 127.0.0.1:53544 desconectado por el servidor: cierre del servidor."],
        )

    def test_linesReadWhilePausedAreAnswered(self):
        """
        Lines the server read while it was not framing (the client's replies
        were not being read) are messages received: once the client reads
        again they are answered, unterminated text included, then the
        closing line; what it sends after the close is not.
        """
        for size in range(1, 10):
            client = Server().connect()
            client.lines()
            client.protocol.pauseProducing()
            client.sendInChunks(b"uno\ndos\r\ntres", size)
            client.protocol.closeByServer(SHUTDOWN)
            self.assertEqual(client.protocol.pending, 1)
            client.send(b"tarde\n")
            self.assertEqual(client.lines(), [])
            client.protocol.resumeProducing()
            self.assertEqual(client.lines(), [reply("0:00:00")] * 3 + [CLOSED_LINE])
            self.assertTrue(client.closing)

    def test_closingAPausedFloodKeepsItsBounds(self):
        """
        Closing a connection paused on a flood does not answer the whole
        buffer at once: replies come only as fast as the client reads them,
        and a client that never reads gets nothing more (the grace period
        then cuts it).
        """
        client = Server().connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"\n" * 50000)
        client.protocol.closeByServer(SHUTDOWN)
        self.assertEqual(client.lines(), [])
        self.assertFalse(client.closing)
        self.assertTrue(client.protocol.pending)
        client.protocol.closeByServer(SHUTDOWN, atOnce=True)
        self.assertEqual(client.lines(), [CLOSED_LINE])

    def test_clientThatNeverReadsStillEnds(self):
        """
        A paused connection closed by the server (the idle timeout, the
        console) whose client never reads does not wait for ever: after
        L{CLOSE_TIMEOUT_SECONDS} its unframed lines are dropped and it gets
        its line and is closed, and L{CLOSE_TIMEOUT_SECONDS} later aborted.
        """
        server = Server()
        client = server.connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"uno\ndos\n")
        client.protocol.closeByServer(OPERATOR)
        server.clock.advance(CLOSE_TIMEOUT_SECONDS - 0.1)
        self.assertEqual(client.lines(), [])
        server.clock.advance(0.1)
        self.assertEqual(client.lines(), [CLOSED_LINE])
        self.assertTrue(client.closing)
        aborted = []
        client.transport.abortConnection = lambda: (aborted.append(True), client.lose())
        server.clock.advance(CLOSE_TIMEOUT_SECONDS)
        self.assertEqual(aborted, [True])

    def test_closedWhileWaitingSaysWhy(self):
        """
        A client closed while it waits its turn gets the line and the
        console says why; one that leaves while waiting is not mentioned.
        """
        server = serialServer()
        server.connect()
        kicked, leaver = server.connect(port=5555), server.connect(port=6666)
        with capturedLogs() as events:
            kicked.protocol.closeByServer(SHUTDOWN)
            kicked.lose()
            leaver.lose()
        self.assertEqual(kicked.lines(), [CLOSED_LINE])
        self.assertEqual(
            [formatEvent(e) for e in events],
            ["Cliente 127.0.0.1:5555 desconectado por el servidor: cierre del servidor."],
        )


class PausedHalfCloseTests(SynchronousTestCase):
    def test_linesStayApart(self):
        """
        A client that half-closes while its lines wait unframed gets one
        reply per line, not one for them all.
        """
        client = Server().connect()
        client.lines()
        client.protocol.pauseProducing()
        client.send(b"uno\ndos\nsalir\nnunca\n")
        client.protocol.readConnectionLost()
        self.assertEqual(client.lines(), [])
        client.protocol.resumeProducing()
        lines = client.lines()
        self.assertEqual(lines[:2], [reply("0:00:00")] * 2)
        self.assertTrue(lines[2].startswith("Servidor: Conexión finalizada."))
        self.assertEqual(len(lines), 3)


class CloseDeadlinesTests(SynchronousTestCase):
    """
    The connections the server closed share one timer that cuts off those
    still there after the close timeout.
    """

    def setUp(self):
        self.clock = Clock()
        self.deadlines = CloseDeadlines(self.clock, seconds=10)
        self.cut = []

    def closed(self, name):
        class Closed:
            def _abort(_):
                self.cut.append(name)

        protocol = Closed()
        self.deadlines.add(protocol)
        return protocol

    def test_oneTimerForAll(self):
        """
        However many connections are closing, one timer is armed.
        """
        for name in "abc":
            self.closed(name)
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)

    def test_eachCutAtItsOwnDeadline(self):
        """
        Each connection still there is cut off at its own deadline, not before.
        """
        self.closed("a")
        self.clock.advance(4)
        self.closed("b")
        self.clock.advance(5.9)
        self.assertEqual(self.cut, [])
        self.clock.advance(0.1)
        self.assertEqual(self.cut, ["a"])
        self.clock.advance(3.9)
        self.assertEqual(self.cut, ["a"])
        self.clock.advance(0.1)
        self.assertEqual((self.cut, self.clock.getDelayedCalls()), (["a", "b"], []))

    def test_goneInTimeIsNotCut(self):
        """
        A connection gone before its deadline is not cut off, and once none is
        left no timer is.
        """
        first, second = self.closed("a"), self.closed("b")
        self.deadlines.discard(first)
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        self.deadlines.discard(second)
        self.assertEqual((self.clock.getDelayedCalls(), len(self.deadlines)), ([], 0))
        self.clock.advance(10)
        self.assertEqual(self.cut, [])
