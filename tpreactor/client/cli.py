# -*- test-case-name: tests.test_client_cli -*-
"""
The command line of C{tpreactor-client}: C{main}, which runs one L{tpreactor.client.session.Session} with the
arguments L{tpreactor.client.arguments} reads.
"""

import os
import signal
import sys

from .arguments import (  # noqa: F401 (the command line's names, here as before)
    BAD_ARGUMENTS, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT_SECONDS, EXIT_STATUSES, PROG, SECONDS,
    TERMINATED, buildParser, parseArguments,
)
from .connect import explain
from .terminal import InputReader, ClientScreen, terminalKept
from .session import INTERRUPTED, Session
from ..messages import catalogue


def run(reactor, options, target, stdin=0, stdout=None, stderr=None):
    """
    Connect, converse until the session ends, and return the exit status.
    """
    stdout = stdout if stdout is not None else sys.stdout.buffer
    stderr = stderr if stderr is not None else sys.stderr
    texts = catalogue(options.lang).client
    interactive = os.isatty(stdin)
    screen = ClientScreen(stdout, encoding=getattr(sys.stdout, "encoding", None) or "utf-8")

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

