# -*- test-case-name: tests.test_client_cli -*-
"""
The command line of C{tpreactor-client}: its arguments, its texts in both
languages, and C{main}, which runs one L{tpreactor.client.session.Session}.
"""

import argparse
import os
import signal
import sys
from dataclasses import dataclass

from .connect import (
    CANNOT_CONNECT, REFUSED, TIMED_OUT, UNKNOWN_HOST, endpointTarget, explain, hostTarget,
)
from .terminal import InputReader, Screen, terminalKept
from .session import INTERRUPTED, OK, SERVER_CLOSED, Session
from ..messages import LANGUAGES, catalogue

PROG = "tpreactor-client"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6667
SECONDS = 1.0
DEFAULT_TIMEOUT_SECONDS = 10 * SECONDS
BAD_ARGUMENTS = 2
TERMINATED = 128 + signal.SIGTERM


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

EXIT_STATUSES = f"""\
exit status:
  {OK:<4} the session ended with salir, Ctrl+D or the end of input
  {SERVER_CLOSED:<4} the server closed the connection first
  {BAD_ARGUMENTS:<4} bad arguments
  {REFUSED:<4} connection refused (nothing listens there)
  {UNKNOWN_HOST:<4} unknown host
  {TIMED_OUT:<4} no connection within --timeout
  {CANNOT_CONNECT:<4} any other failure to connect (a TLS handshake, too)
  {INTERRUPTED:<4} Ctrl+C (salir is sent first); {TERMINATED} for SIGTERM
"""


class _Parser(argparse.ArgumentParser):
    """
    An argument parser whose errors are one line, without the usage.
    """

    def error(self, message):
        self.exit(BAD_ARGUMENTS, f"{self.prog}: error: {message}\n")


def _port(text):
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"invalid port {text!r} (1-65535)")
    return port


def _seconds(text):
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}")
    return seconds


def buildParser():
    parser = _Parser(
        prog=PROG,
        description=(
            "Talk to a tpreactor server: every line you type is sent, and the "
            "reply is printed before the next prompt; `salir` or Ctrl+D ends the "
            "session. With standard input not a terminal, each input line is "
            "sent in turn and the session ends at the end of input."
        ),
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("host", nargs="?", help=f"server name or address (default {DEFAULT_HOST})")
    parser.add_argument("port", nargs="?", type=_port, help=f"server port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--connect", metavar="ENDPOINT",
        help="any Twisted client endpoint instead of HOST PORT, e.g. "
        "tcp6:\\:\\:1:6667, unix:/tmp/tp.sock, tls:example.org:6697",
    )
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds, default=DEFAULT_TIMEOUT_SECONDS,
        help="how long connecting may take (default %(default)g); waiting for "
        "the welcome, e.g. in a serial server's queue, is not timed",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="es",
        help="language of the client's own texts (default %(default)s)",
    )
    return parser


def parseArguments(reactor, argv=None):
    """
    The options and the L{tpreactor.client.connect.Target} for C{argv}; bad
    arguments end the program with one line on stderr and status 2.
    """
    parser = buildParser()
    options = parser.parse_args(argv)
    if options.connect is not None:
        if options.host is not None:
            parser.error("give either HOST [PORT] or --connect, not both")
        try:
            target = endpointTarget(reactor, options.connect)
        except ValueError as e:
            parser.error(str(e))
    else:
        target = hostTarget(
            reactor, options.host or DEFAULT_HOST, options.port or DEFAULT_PORT, options.timeout,
        )
    return options, target


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

