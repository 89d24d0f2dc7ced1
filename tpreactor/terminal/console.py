# -*- test-case-name: tests.test_terminal_console -*-
"""
The operator's console on the server's terminal: the Ctrl+C question and the
commands (C{clientes}, C{desconectar}, C{ayuda}), read through the reactor so
that clients keep being served while the operator types.
"""

import os
from datetime import datetime

from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from ..messages import formatDate, formatElapsed
from ..text import escape

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: After the terminal reports end of input (Ctrl+D) the console is opened
#: again this much later, so a terminal that keeps reporting it costs
#: nothing.
REOPEN_SECONDS = 0.2 * SECONDS

#: The answers to the Ctrl+C question.
CLOSE_SOCKET, CLOSE_ALL, EXIT_NOW = "1", "2", "3"


@implementer(IHalfCloseableProtocol)
class Console(LineReceiver):
    """
    The operator's side of the server: one command per line, or the answer to
    the Ctrl+C question while it is open.

    @ivar model: the server (an L{tpreactor.model.IServerModel}): what
        C{clientes} shows and C{desconectar} acts on.
    @ivar catalogue: the L{tpreactor.messages.Catalogue} of the server's
        language.
    @ivar screen: the L{tpreactor.terminal.screen.ServerScreen} the log writes through too,
        if any: then the console writes there, and the question's prompt is
        shown again below every log line; else it writes to its transport.
    @ivar onInputEnded: called when the terminal reports end of input
        (Ctrl+D), so that the owner can open it again.
    @ivar onLost: called when the transport is gone.
    """

    delimiter = b"\n"
    onInputEnded = None
    onLost = None

    def __init__(self, model, screen=None):
        self.model = model
        self.catalogue = model.catalogue
        self.screen = screen
        self._answer = None
        self._commands = {
            "clientes": self.listClients,
            "list": self.listClients,
            "desconectar": self.kick,
            "kick": self.kick,
            "ayuda": self.showHelp,
            "help": self.showHelp,
        }

    # -- the Ctrl+C question ------------------------------------------------------

    @property
    def asking(self):
        return self._answer is not None

    def ask(self, answered):
        """
        Show the question; the next line typed goes to C{answered} (stripped).
        """
        self._answer = answered
        t = self.catalogue
        text = "\n" + t.question + "\n" + "\n".join(t.options) + "\n\n"
        if self.screen is None:
            self.write(text + t.prompt)
        else:
            self.write(text)
            self.screen.showPrompt(t.prompt)

    def withdraw(self):
        """
        Close the question without an answer (a second Ctrl+C, a SIGTERM).
        """
        if self._answer is not None:
            self._answer = None
            if self.screen is not None:
                self.screen.clearPrompt(erase=False)
            self.write("\n")

    # -- input ----------------------------------------------------------------------

    def lineReceived(self, line):
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if self._answer is not None:
            answered, self._answer = self._answer, None
            if self.screen is not None:
                self.screen.clearPrompt()
            answered(text.strip())
            return
        words = text.split(None, 1)
        if not words:
            return
        command = self._commands.get(words[0].lower())
        if command is None:
            self.say(self.catalogue.unknownCommand.format(command=escape(words[0])))
            return
        command(words[1].strip() if len(words) > 1 else "")

    def readConnectionLost(self):
        if self.onInputEnded is not None:
            self.onInputEnded()

    def writeConnectionLost(self):
        pass

    def connectionLost(self, reason):
        if self.onLost is not None:
            self.onLost(self)

    # -- commands ---------------------------------------------------------------------

    def listClients(self, argument=""):
        """
        C{clientes}: how many are served (and, in serial mode, wait: held by
        the server or still in the kernel's backlog), then one line per
        client: when it connected, how long ago, how many messages it has
        sent (and how many of them still wait for their reply); the ones in
        the backlog, whose addresses nobody knows yet, in one line; and,
        with C{--workers}, a line for each worker that did not answer.
        """
        return self.model.state().addCallback(self._listed)

    def _listed(self, state):
        t = self.catalogue
        queued = (state.backlog or 0) if state.holdsClients else 0
        header = t.listHeader.format(active=len(state.clients))
        if state.holdsClients:
            header += t.listWaiting.format(waiting=len(state.waiting) + queued)
        lines = [header]
        for record in state.clients:
            if record.since is None:
                lines.append(t.waitingLine.format(peer=record.peer) + workerNote(record.worker))
                continue
            line = t.clientLine.format(
                peer=record.peer,
                date=formatDate(t, datetime.fromisoformat(record.since)),
                ago=formatElapsed(round(record.seconds)),
                messages=record.messages + record.pending,
            )
            pending = t.pendingNote.format(pending=record.pending) if record.pending else ""
            lines.append(line + pending + workerNote(record.worker))
        for record in state.waiting:
            lines.append(t.waitingLine.format(peer=record.peer) + workerNote(record.worker))
        if queued:
            lines.append(t.queuedLine.format(count=queued))
        lines.extend(self._silent(state.silent))
        self.say("\n".join(lines))

    def _silent(self, workers):
        """
        A line for each worker that did not answer (C{--workers}).
        """
        return [self.catalogue.workerNoAnswer.format(worker=w.number, pid=w.pid, clients=w.clients) for w in workers]

    def kick(self, argument=""):
        """
        C{desconectar IP:PUERTO}: that client gets the closing line, after the
        replies to what it already sent.
        """
        if not argument:
            self.say(self.catalogue.kickUsage)
            return None
        return self.model.disconnect(argument).addCallback(self._kicked, argument)

    def _kicked(self, done, argument):
        if not done.told:
            self.say(self.catalogue.unknownPeer.format(peer=escape(argument)))
        for peer, worker in done.told:
            self.say(self.catalogue.kicking.format(peer=peer) + workerNote(worker))
        for line in self._silent(done.silent):
            self.say(line)

    def showHelp(self, argument=""):
        self.say(self.catalogue.help)

    # -- output -------------------------------------------------------------------------

    def say(self, text):
        self.write(text + "\n")

    def write(self, text):
        if self.screen is not None:
            self.screen.write(text)
            self.screen.flush()
        elif self.transport is not None:
            self.transport.write(text.encode("utf-8"))


def workerNote(number):
    """
    What a console line about a worker's client ends with (nothing in one
    process).
    """
    return "" if number is None else f"  [w{number}]"


class TerminalConsole:
    """
    A L{Console} on the controlling terminal, through the reactor.

    The terminal is opened again on descriptors of its own rather than used
    as fds 0 and 1: C{StandardIO} makes its descriptors non-blocking, and on
    a terminal fds 0, 1 and 2 share one open file, so the log (and the shell,
    after exit) would find stdout non-blocking. A fresh open keeps that flag
    to us, and a Ctrl+D that ends our input does not close the log's stdout.
    """

    def __init__(self, console, reactor, inputPath=None, outputPath=None):
        self.console = console
        self.reactor = reactor
        self.inputPath = inputPath or os.ttyname(0)
        self.outputPath = outputPath or os.ttyname(1)
        self.transport = None
        self._fds = ()
        self._closing = False
        self._reopenCall = None
        console.onInputEnded = self._inputEnded
        console.onLost = self._lost

    @property
    def isOpen(self):
        return self.transport is not None

    def open(self):
        """
        Start reading the terminal; C{False} if it cannot be opened.
        """
        from twisted.internet.stdio import StandardIO

        try:
            readFd = os.open(self.inputPath, os.O_RDONLY | os.O_NOCTTY)
        except OSError:
            return False
        try:
            writeFd = os.open(self.outputPath, os.O_WRONLY | os.O_NOCTTY)
        except OSError:
            os.close(readFd)
            return False
        self._fds = (readFd, writeFd)
        self.transport = StandardIO(self.console, stdin=readFd, stdout=writeFd, reactor=self.reactor)
        return True

    def close(self):
        """
        Stop reading; what was written is still flushed.
        """
        self._closing = True
        if self._reopenCall is not None and self._reopenCall.active():
            self._reopenCall.cancel()
        if self.transport is not None:
            self.transport.loseConnection()

    def _inputEnded(self):
        # Ctrl+D: a terminal can be read again after it, StandardIO cannot.
        if self.transport is not None:
            self.transport.loseConnection()

    def _lost(self, console):
        self.transport = None
        fds, self._fds = self._fds, ()
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        if not self._closing:
            self._reopenCall = self.reactor.callLater(REOPEN_SECONDS, self._reopen)

    def _reopen(self):
        self._reopenCall = None
        if not self._closing and not self.open():
            log.warn(self.console.catalogue.terminalLost)
