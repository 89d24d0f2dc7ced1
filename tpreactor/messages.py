# -*- test-case-name: tests.test_messages -*-
"""
The texts of a connection, per language: what goes on the wire and the
console lines about each client.

One catalogue per language keeps the contract's wording in one place; the
operator console's own texts (the Ctrl+C question, the commands, the
shutdown steps) sit beside it in L{tpreactor.console}.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from babel.dates import format_datetime

LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class Catalogue:
    """
    The texts of one language.  Wire texts take C{str.format} fields; console
    texts are C{twisted.logger} format strings (client text always goes in as
    a field value, never into the format itself).
    """

    lang: str
    datePattern: str
    exitWords: frozenset

    # On the wire.
    welcome: str
    reply: str
    goodbye: str
    closedByServer: str
    internalError: str
    tooLong: str
    idle: str
    full: str

    # On the operator's console.
    listening: str
    connected: str
    received: str
    clientQuit: str
    clientGone: str
    kicked: str
    reasons: dict
    workFailed: str
    exposed: str


SPANISH = Catalogue(
    lang="es",
    datePattern="d 'de' MMMM 'a las' HH:mm 'hs'",
    exitWords=frozenset({"salir"}),
    welcome="Servidor: Conexión establecida el {date}. Puedes enviar mensajes al servidor.",
    reply="Mensaje Recibido el {date}. Tiempo transcurrido desde la conexión: ",
    goodbye="Servidor: Conexión finalizada. Tiempo total de conexión: {elapsed}",
    closedByServer="Servidor: El servidor cerró la conexión.",
    internalError="Servidor: Error interno al procesar el mensaje.",
    tooLong="Servidor: Error: mensaje demasiado largo (máximo {limit} bytes).",
    idle="Servidor: Conexión cerrada por inactividad.",
    full="Servidor: Servidor lleno, intente más tarde.",
    listening="Servidor en modo {mode} escuchando en {address}",
    connected="Conexión establecida con IP: {host} y Puerto: {port}",
    received="Mensaje recibido de {peer}: {text}",
    clientQuit="Cliente {peer} ha cerrado la conexión.",
    clientGone="Cliente {peer} se desconectó.",
    kicked="Cliente {peer} desconectado por el servidor: {reason}.",
    reasons={
        "idle": "inactividad",
        "tooLong": "mensaje demasiado largo",
        "full": "servidor lleno",
        "operator": "orden del operador",
        "shutdown": "cierre del servidor",
    },
    workFailed="Error al procesar un mensaje de {peer}: {cause}",
    exposed="Atención: {address} acepta clientes de cualquier interfaz y sin --max-per-ip; "
    "un solo equipo puede ocupar todas las conexiones.",
)

ENGLISH = Catalogue(
    lang="en",
    datePattern="MMMM d 'at' HH:mm",
    exitWords=frozenset({"salir", "exit", "quit"}),
    welcome="Server: Connection established on {date}. You can send messages to the server.",
    reply="Message received on {date}. Time since connection: ",
    goodbye="Server: Connection ended. Total connection time: {elapsed}",
    closedByServer="Server: The server closed the connection.",
    internalError="Server: Internal error while processing the message.",
    tooLong="Server: Error: message too long (maximum {limit} bytes).",
    idle="Server: Connection closed for inactivity.",
    full="Server: Server full, try again later.",
    listening="Server in {mode} mode listening on {address}",
    connected="Connection established with IP: {host} and Port: {port}",
    received="Message received from {peer}: {text}",
    clientQuit="Client {peer} closed the connection.",
    clientGone="Client {peer} disconnected.",
    kicked="Client {peer} disconnected by the server: {reason}.",
    reasons={
        "idle": "inactivity",
        "tooLong": "message too long",
        "full": "server full",
        "operator": "operator's order",
        "shutdown": "server shutdown",
    },
    workFailed="Error while processing a message from {peer}: {cause}",
    exposed="Warning: {address} takes clients from every interface and without --max-per-ip; "
    "a single host can take every connection.",
)

CATALOGUES = {c.lang: c for c in (SPANISH, ENGLISH)}


def catalogue(lang):
    """
    The catalogue for C{lang}, or L{KeyError} naming the languages we have.
    """
    try:
        return CATALOGUES[lang]
    except KeyError:
        raise KeyError(
            f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}"
        ) from None


@lru_cache(maxsize=256)
def _formatMinute(pattern, lang, year, month, day, hour, minute):
    return format_datetime(
        datetime(year, month, day, hour, minute), pattern, locale=lang
    )


def formatDate(cat, when):
    """
    C{when} (a naive local datetime) the way the contract writes C{<fecha>}.

    Only the minute shows, so every connection in the same minute shares one
    Babel call.
    """
    return _formatMinute(
        cat.datePattern, cat.lang, when.year, when.month, when.day, when.hour, when.minute
    )


def formatElapsed(seconds):
    """
    Elapsed seconds written like C{str(datetime.timedelta)}: C{0:01:03.905295}.
    """
    return str(timedelta(seconds=max(0.0, seconds)))
