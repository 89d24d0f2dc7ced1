# -*- test-case-name: tests.test_messages -*-
"""
Every text a person reads, per language: what goes on the wire, the console
lines about each client, the operator's console (the Ctrl+C question, the
commands) and the shutdown steps.

One catalogue per language (L{tpreactor.messages.es}, L{tpreactor.messages.en})
keeps the contract's wording in one place.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime

LANGUAGES = ("es", "en")


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


@dataclass(frozen=True)
class Catalogue:
    """
    The texts of one language.  Wire texts and texts written to the operator's
    console take C{str.format} fields; texts logged are C{twisted.logger}
    format strings (the same field syntax; client text always goes in as a
    field value, never into the format itself).
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

    # On the operator's console, about the clients.
    listening: str
    connected: str
    received: str
    clientQuit: str
    clientGone: str
    kicked: str
    reasons: dict
    proxyRefused: str
    proxyReasons: dict
    workFailed: str
    exposed: str
    openFileBound: dict

    # Starting the server: usage errors, --help, the files twistd opens.
    usageLine: str
    usageHint: str
    unknownMode: str
    unknownLanguage: str
    unknownWorkKind: str
    numberAtLeast: str
    numberGreater: str
    badPort: str
    badTrustedProxies: str
    badEndpoint: str
    endpointNeedsPackage: str
    pemHint: str
    getoptErrors: dict
    wrongArguments: str
    cannotListen: str
    noAnswer: str
    cannotPause: str
    osErrors: dict
    folderMissing: str
    notAFolder: str
    isAFolder: str
    cannotLog: str
    cannotWritePid: str
    helpUsage: str
    helpOptionsWord: str
    helpOptions: str
    helpDefault: str
    helpLongdesc: str
    optionHelp: dict
    modeSummaries: dict
    inModes: str
    orWord: str
    heldModes: str

    # The client (tpreactor-client): what it says, its command line.
    client: ClientTexts
    clientDescription: str
    clientHelp: dict
    clientExitStatuses: str
    clientUsage: str
    clientPositionals: str
    clientOptionals: str
    clientSeconds: str
    clientError: str
    clientBadPort: str
    clientBadSeconds: str
    clientNotBoth: str
    clientTcp6: str
    clientNeedsPackage: str
    argparseErrors: dict
    workerReady: str
    clientsCount: dict
    workerDied: str
    workerDiedSoon: str
    workerNotStarted: str
    workerSilent: str
    startingAnother: str
    workerKilledLate: str
    workerNoAnswer: str
    epollShared: str
    workersCannotShare: str
    noWorkers: str

    # The Ctrl+C question (exact, from the contract).
    question: str
    options: tuple
    prompt: str
    resumed: str

    # The operator's commands.
    ready: str
    listHeader: str
    listWaiting: str
    clientLine: str
    pendingNote: str
    waitingLine: str
    queuedLine: str
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
    graceOver: dict
    cutShort: dict
    aborted: str
    poolStopping: str
    poolStopped: str
    poolAbandoned: str
    poolStopFailed: str
    signalled: str
    signalledDuringStop: str
    hangupDuringStop: str
    secondInterrupt: str
    exitingNow: str
    exitStatus: str
    alreadyClosed: str
    terminalLost: str

    # The status endpoint (--status): the startup line, and the page's texts
    # (str.format fields; the page fills them in).
    statusListening: str
    statusExposed: str
    statusNeeded: str
    authErrors: dict
    portRange: str
    statusPage: dict


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


class DatedLines:
    """
    The lines that carry a connection's date, for the minute they were
    last asked for: the date shows only to the minute, so every connection
    of a minute shares them, and they are formatted once a minute.
    """

    def __init__(self, cat):
        self._cat = cat
        self._start = self._end = None
        self._lines = None

    def at(self, when):
        """
        For C{when} (a naive local datetime): the welcome line, encoded and
        ended, and the start of every reply line, encoded (the elapsed time
        and the newline follow it).
        """
        if self._start is not None and self._start <= when < self._end:
            return self._lines
        cat = self._cat
        date = formatDate(cat, when)
        self._start = when.replace(second=0, microsecond=0)
        self._end = self._start + timedelta(minutes=1)
        self._lines = ((cat.welcome.format(date=date) + "\n").encode("utf-8"), cat.reply.format(date=date).encode("utf-8"))
        return self._lines


@lru_cache(maxsize=None)
def pluralRule(lang):
    """
    The CLDR plural rule of C{lang} (Babel's): a count to its form's
    name, C{"one"}, C{"other"}, ...
    """
    return Locale.parse(lang).plural_form


def plural(cat, forms, count):
    """
    Of C{forms} (a dict from CLDR plural forms to texts, C{"other"} always
    among them), the one C{count} takes in C{cat}'s language.
    """
    return forms.get(pluralRule(cat.lang)(count), forms["other"])


def counted(cat, forms, count):
    """
    C{count} with its noun in the plural form it takes in C{cat}'s
    language (C{forms}' texts have a C{{count}} field): C{1 cliente},
    C{3 clientes}.
    """
    return plural(cat, forms, count).format(count=count)


def formatElapsed(seconds):
    """
    Elapsed seconds written like C{str(datetime.timedelta)}: C{0:01:03.905295}.
    """
    return str(timedelta(seconds=max(0.0, seconds)))


# The languages need Catalogue above.
from .en import ENGLISH  # noqa: E402
from .es import SPANISH  # noqa: E402

CATALOGUES = {c.lang: c for c in (SPANISH, ENGLISH)}
# Babel reads a locale's data from its files the first time: at start,
# not when a count is first written (then the process may have no
# descriptor left, say).
for _lang in LANGUAGES:
    pluralRule(_lang)(1)
