# -*- test-case-name: tests.test_client_cli -*-
"""
The command line of C{tpreactor-client}: its texts in both languages, and
C{main}, which runs one L{tpreactor.client.session.Session} with the
arguments L{tpreactor.client.arguments} reads.
"""

import os
import signal
import sys
from dataclasses import dataclass

from .arguments import (  # noqa: F401 (the command line's names, here as before)
    BAD_ARGUMENTS, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT_SECONDS, EXIT_STATUSES, PROG, SECONDS,
    TERMINATED, buildParser, parseArguments,
)
from .connect import explain
from .terminal import InputReader, Screen, terminalKept
from .session import INTERRUPTED, Session
from ..messages import catalogue


@dataclass(frozen=True)
class ClientTexts:
    """
    What the client itself says, in one language (the server's lines are
    printed as they come).
    """

    connecting: str
    connectingTo: str
    prompt: str
    closing: str
    serverClosed: str
    closingSocket: str
    target: str
    cannotConnect: str
    refused: str
    noSocket: str
    unknownHost: str
    timedOut: str
    connectionFailed: str


TEXTS = {
    "es": ClientTexts(
        connecting="Conectando a {host} puerto {port}",
        connectingTo="Conectando a {host}",
        prompt="Mensaje para el servidor: ",
        closing="Cerrando conexión con el servidor...",
        serverClosed="La conexión con el servidor se cerró.",
        closingSocket="Cerrando socket",
        target="{host} puerto {port}",
        cannotConnect="No se pudo conectar a {target}: {reason}.",
        refused="conexión rechazada (¿está el servidor en marcha?)",
        noSocket="no hay ningún socket en esa ruta (¿está el servidor en marcha?)",
        unknownHost="host desconocido",
        timedOut="sin respuesta en {seconds:g} s",
        connectionFailed="La conexión falló: {reason}",
    ),
    "en": ClientTexts(
        connecting="Connecting to {host} port {port}",
        connectingTo="Connecting to {host}",
        prompt="Message for the server: ",
        closing="Closing the connection with the server...",
        serverClosed="The connection with the server was closed.",
        closingSocket="Closing socket",
        target="{host} port {port}",
        cannotConnect="Could not connect to {target}: {reason}.",
        refused="connection refused (is the server running?)",
        noSocket="no socket at that path (is the server running?)",
        unknownHost="unknown host",
        timedOut="no answer within {seconds:g} s",
        connectionFailed="The connection failed: {reason}",
    ),
}

def run(reactor, options, target, stdin=0, stdout=None, stderr=None):
    """
    Connect, converse until the session ends, and return the exit status.
    """
    stdout = stdout if stdout is not None else sys.stdout.buffer
    stderr = stderr if stderr is not None else sys.stderr
    texts = TEXTS[options.lang]
    interactive = os.isatty(stdin)
    screen = Screen(stdout, encoding=getattr(sys.stdout, "encoding", None) or "utf-8")

    def report(text):
        stderr.write(f"{PROG}: {text}\n")
        stderr.flush()

    session = Session(
        screen, texts, catalogue(options.lang).exitWords, reactor,
        interactive=interactive, report=report,
    )
    reader = session.input = InputReader(reactor, stdin, session.userLine, session.userEnd)
    outcome = []

    def failed(failure):
        status, reason = explain(failure, texts, options.timeout)
        where = texts.target.format(host=target.host, port=target.port) if target.port else target.host
        report(texts.cannotConnect.format(target=where, reason=reason))
        return status

    def finished(status):
        outcome.append(status)
        reader.stopReading()
        reactor.stop()

    def begin():
        _handleSignals(reactor, session)
        if target.port is None:
            screen.line(texts.connectingTo.format(host=target.host))
        else:
            screen.line(texts.connecting.format(host=target.host, port=target.port))
        reader.startReading()
        session.run(target.endpoint, options.timeout).addErrback(failed).addCallback(finished)

    reactor.callWhenRunning(begin)
    with terminalKept(flushInput=interactive):
        reactor.run()
    # No outcome: a signal stopped the reactor before our handlers were in.
    return outcome[0] if outcome else INTERRUPTED


def _handleSignals(reactor, session):
    """
    Ctrl+C and SIGTERM end the session politely (L{Session.interrupt});
    a SIGINT the shell told us to ignore (a background job) stays ignored.
    """
    def on(status):
        return lambda signum, frame: reactor.callFromThread(session.interrupt, status)

    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, on(INTERRUPTED))
    signal.signal(signal.SIGTERM, on(TERMINATED))


def main(argv=None):
    """
    The C{tpreactor-client} console script.
    """
    from twisted.internet import reactor

    options, target = parseArguments(reactor, argv)
    sys.exit(run(reactor, options, target))

