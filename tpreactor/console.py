# -*- test-case-name: tests.test_console -*-
"""
The operator's console on the server's terminal: the Ctrl+C question and the
commands (C{clientes}, C{desconectar}, C{ayuda}), read through the reactor so
that clients keep being served while the operator types.
"""

import os
from dataclasses import dataclass

from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from .messages import formatDate, formatElapsed
from .protocol import OPERATOR
from .text import escape

log = Logger(namespace="tpreactor")

SECONDS = 1.0
#: After the terminal reports end of input (Ctrl+D) the console is opened
#: again this much later, so a terminal that keeps reporting it costs
#: nothing.
REOPEN_SECONDS = 0.2 * SECONDS

#: The answers to the Ctrl+C question.
CLOSE_SOCKET, CLOSE_ALL, EXIT_NOW = "1", "2", "3"


@dataclass(frozen=True)
class ConsoleTexts:
    """
    What the console and the shutdown say, in one language.

    Texts written to the console are C{str.format} templates; texts logged
    are C{twisted.logger} format strings (the same field syntax).
    """

    # The Ctrl+C question (exact, from the contract).
    question: str
    options: tuple
    prompt: str
    resumed: str

    # Commands.
    ready: str
    listHeader: str
    listWaiting: str
    clientLine: str
    pendingNote: str
    waitingLine: str
    kicking: str
    unknownPeer: str
    kickUsage: str
    unknownCommand: str
    help: str

    # Shutdown steps, logged.
    socketClosed: str
    allClosed: str
    waitingClosed: str
    backlogReset: str
    draining: str
    lastLeft: str
    shutdownStarted: str
    shutdownDone: str
    graceOver: str
    cutShort: str
    aborted: str
    poolStopping: str
    poolStopped: str
    poolAbandoned: str
    poolStopFailed: str
    signalled: str
    signalledDuringStop: str
    secondInterrupt: str
    exitingNow: str
    exitStatus: str
    alreadyClosed: str
    terminalLost: str


SPANISH = ConsoleTexts(
    question="Se ha detectado una interrupción. ¿Qué acción deseas tomar?",
    options=(
        "1. Cerrar solo el socket del servidor.",
        "2. Cerrar todas las conexiones activas y luego cerrar el socket del servidor.",
        "3. Salir sin cerrar nada.",
    ),
    prompt="Selecciona una opción: ",
    resumed="Se continúa atendiendo.",
    ready="Consola del operador: escribe ayuda para ver las órdenes; Ctrl+C para cerrar el servidor.",
    listHeader="Conexiones activas: {active}",
    listWaiting=", en espera: {waiting}",
    clientLine="{peer}  conectado el {date} (hace {ago}), mensajes: {messages}",
    pendingNote=" (sin responder: {pending})",
    waitingLine="{peer}  en espera de su turno",
    kicking="Desconectando a {peer}.",
    unknownPeer="No hay ningún cliente conectado desde {peer}.",
    kickUsage="Uso: desconectar IP:PUERTO (la dirección tal como la muestra clientes).",
    unknownCommand="Orden desconocida: {command}. Escribe ayuda para ver las órdenes.",
    help=(
        "Órdenes:\n"
        "  clientes (o list)                lista las conexiones activas\n"
        "  desconectar IP:PUERTO (o kick)   cierra esa conexión con aviso\n"
        "  ayuda (o help)                   esta lista\n"
        "Ctrl+C: preguntar cómo cerrar el servidor."
    ),
    socketClosed="Socket del servidor cerrado.",
    allClosed="Todas las conexiones activas han sido cerradas.",
    waitingClosed="Clientes en espera cerrados sin bienvenida: {count}.",
    backlogReset="Conexiones en la cola del kernel rechazadas al cerrar el socket: {count}.",
    draining="Se sigue atendiendo a los clientes conectados ({count}); el servidor termina cuando salga el último.",
    lastLeft="No queda ningún cliente: el servidor termina.",
    shutdownStarted=(
        "Cierre ordenado: no se aceptan conexiones nuevas. Conexiones abiertas: {open} "
        "(en espera: {waiting}); mensajes sin responder: {pending}; tiempo de gracia: {grace} s."
    ),
    shutdownDone="Cierre ordenado: mensajes respondidos: {answered}; conexiones cerradas: {closed}; cortadas: {cut}.",
    graceOver=(
        "Tiempo de gracia agotado ({grace} s): se cierran de inmediato {count} conexiones; "
        "sin sus respuestas: {peers}."
    ),
    cutShort="Cierre acelerado por el operador: se cierran de inmediato {count} conexiones; sin sus respuestas: {peers}.",
    aborted="Conexiones abortadas porque no leían el aviso de cierre: {count}.",
    poolStopping="Deteniendo el grupo de trabajo.",
    poolStopped="Grupo de trabajo detenido.",
    poolAbandoned="El grupo de trabajo no se detuvo en {seconds} s: se abandona el trabajo que seguía en curso.",
    poolStopFailed="El grupo de trabajo falló al detenerse: {cause}.",
    signalled="Señal {signal} recibida: cierre ordenado.",
    signalledDuringStop="Señal {signal} durante el cierre: las conexiones se cierran de inmediato.",
    secondInterrupt="Segundo Ctrl+C con la pregunta abierta: opción 2.",
    exitingNow="Saliendo sin cerrar nada.",
    exitStatus="Código de salida: {code}.",
    alreadyClosed="El socket del servidor ya está cerrado.",
    terminalLost="Consola: no se puede volver a abrir el terminal; desde ahora Ctrl+C cierra el servidor sin preguntar.",
)

ENGLISH = ConsoleTexts(
    question="An interruption was detected. What do you want to do?",
    options=(
        "1. Close only the server socket.",
        "2. Close all active connections and then the server socket.",
        "3. Exit without closing anything.",
    ),
    prompt="Choose an option: ",
    resumed="Still serving.",
    ready="Operator console: type help for the commands; Ctrl+C to stop the server.",
    listHeader="Active connections: {active}",
    listWaiting=", waiting: {waiting}",
    clientLine="{peer}  connected on {date} ({ago} ago), messages: {messages}",
    pendingNote=" (not yet answered: {pending})",
    waitingLine="{peer}  waiting for its turn",
    kicking="Disconnecting {peer}.",
    unknownPeer="No client is connected from {peer}.",
    kickUsage="Usage: kick IP:PORT (the address as list shows it).",
    unknownCommand="Unknown command: {command}. Type help for the list of commands.",
    help=(
        "Commands:\n"
        "  list (or clientes)               list the active connections\n"
        "  kick IP:PORT (or desconectar)    close that connection, with notice\n"
        "  help (or ayuda)                  this list\n"
        "Ctrl+C: ask how to stop the server."
    ),
    socketClosed="Server socket closed.",
    allClosed="All active connections have been closed.",
    waitingClosed="Waiting clients closed without a welcome: {count}.",
    backlogReset="Connections in the kernel's queue refused when the socket closed: {count}.",
    draining="Still serving the connected clients ({count}); the server ends when the last one leaves.",
    lastLeft="No client left: the server ends.",
    shutdownStarted=(
        "Graceful shutdown: new connections are refused. Open connections: {open} "
        "(waiting: {waiting}); messages not yet answered: {pending}; grace period: {grace} s."
    ),
    shutdownDone="Graceful shutdown: messages answered: {answered}; connections closed: {closed}; cut: {cut}.",
    graceOver=(
        "Grace period over ({grace} s): closing {count} connections at once; "
        "without their replies: {peers}."
    ),
    cutShort="Shutdown hurried by the operator: closing {count} connections at once; without their replies: {peers}.",
    aborted="Connections aborted because they did not read the closing line: {count}.",
    poolStopping="Stopping the worker pool.",
    poolStopped="Worker pool stopped.",
    poolAbandoned="The worker pool did not stop within {seconds} s: the work still running is abandoned.",
    poolStopFailed="The worker pool failed to stop: {cause}.",
    signalled="Signal {signal} received: graceful shutdown.",
    signalledDuringStop="Signal {signal} during the shutdown: connections are closed at once.",
    secondInterrupt="Second Ctrl+C with the question open: option 2.",
    exitingNow="Exiting without closing anything.",
    exitStatus="Exit status: {code}.",
    alreadyClosed="The server socket is already closed.",
    terminalLost="Console: the terminal cannot be opened again; Ctrl+C now shuts down without asking.",
)

CONSOLE_TEXTS = {"es": SPANISH, "en": ENGLISH}


def consoleTexts(lang):
    """
    The console texts for C{lang} (Spanish for a language we lack).
    """
    return CONSOLE_TEXTS.get(lang, SPANISH)


def noneIfEmpty(names):
    """
    A list of peers for a log line: C{-} when there is none.
    """
    return ", ".join(names) if names else "-"


@implementer(IHalfCloseableProtocol)
class Console(LineReceiver):
    """
    The operator's side of the server: one command per line, or the answer to
    the Ctrl+C question while it is open.

    @ivar factory: the server's L{tpreactor.factory.TimeFactory}; its
        C{connections}, C{waiting}, C{catalogue} and C{clock} are what
        C{clientes} shows and C{desconectar} acts on.
    @ivar texts: the L{ConsoleTexts} of the server's language.
    @ivar onInputEnded: called when the terminal reports end of input
        (Ctrl+D), so that the owner can open it again.
    @ivar onLost: called when the transport is gone.
    """

    delimiter = b"\n"
    onInputEnded = None
    onLost = None

    def __init__(self, factory, texts=None):
        self.factory = factory
        self.texts = texts or consoleTexts(factory.catalogue.lang)
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
        t = self.texts
        self.write("\n" + t.question + "\n" + "\n".join(t.options) + "\n\n" + t.prompt)

    def withdraw(self):
        """
        Close the question without an answer (a second Ctrl+C, a SIGTERM).
        """
        if self._answer is not None:
            self._answer = None
            self.write("\n")

    # -- input ----------------------------------------------------------------------

    def lineReceived(self, line):
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if self._answer is not None:
            answered, self._answer = self._answer, None
            answered(text.strip())
            return
        words = text.split(None, 1)
        if not words:
            return
        command = self._commands.get(words[0].lower())
        if command is None:
            self.say(self.texts.unknownCommand.format(command=escape(words[0])))
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
        C{clientes}: how many are served (and, in serial mode, wait), then one
        line per client: when it connected, how long ago, how many messages
        it has sent (and how many of them still wait for their reply).
        """
        factory = self.factory
        t = self.texts
        waiting = list(factory.waiting)
        held = set(waiting)
        served = [p for p in factory.connections if p not in held]
        header = t.listHeader.format(active=len(served))
        if _holdsClients(factory):
            header += t.listWaiting.format(waiting=len(waiting))
        lines = [header]
        now = factory.clock.monotonic()
        for protocol in served:
            if protocol.started is None:
                lines.append(t.waitingLine.format(peer=protocol.peer.joined))
                continue
            pending = protocol.pending
            line = t.clientLine.format(
                peer=protocol.peer.joined,
                date=formatDate(factory.catalogue, protocol.started),
                ago=formatElapsed(round(now - protocol.startedMono)),
                messages=protocol.messages + pending,
            )
            lines.append(line + (t.pendingNote.format(pending=pending) if pending else ""))
        for protocol in waiting:
            lines.append(t.waitingLine.format(peer=protocol.peer.joined))
        self.say("\n".join(lines))

    def kick(self, argument=""):
        """
        C{desconectar IP:PUERTO}: that client gets the closing line, after the
        replies to what it already sent.
        """
        if not argument:
            self.say(self.texts.kickUsage)
            return
        protocol = findPeer(self.factory, argument)
        if protocol is None:
            self.say(self.texts.unknownPeer.format(peer=escape(argument)))
            return
        self.say(self.texts.kicking.format(peer=protocol.peer.joined))
        protocol.closeByServer(OPERATOR)

    def showHelp(self, argument=""):
        self.say(self.texts.help)

    # -- output -------------------------------------------------------------------------

    def say(self, text):
        self.write(text + "\n")

    def write(self, text):
        if self.transport is not None:
            self.transport.write(text.encode("utf-8"))


def _holdsClients(factory):
    """
    Whether this factory makes clients wait for their turn (the serial mode).
    """
    return hasattr(factory, "active")


def findPeer(factory, address):
    """
    The connection whose peer is written C{address} (C{127.0.0.1:53544},
    C{[::1]:53544}, C{unix:3}; C{::1:53544} is accepted too), or C{None}.
    """
    address = address.strip()
    for protocol in factory.connections:
        peer = protocol.peer
        if address in (peer.joined, f"{peer.host}:{peer.port}"):
            return protocol
    return None


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
            log.warn(self.console.texts.terminalLost)
