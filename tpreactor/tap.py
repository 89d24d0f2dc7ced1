# -*- test-case-name: tests.test_tap -*-
"""
The twistd plugin's options and the service they build.
"""

import math

from twisted.python import usage

from .clock import SystemClock
from .endpoints import parseEndpoint, withBacklog
from .factory import Settings
from .messages import LANGUAGES
from .modes import MODES, modeNamed
from .service import TimeServer
from .shutdown import ListeningService, defaultMaxConnections, withOperator
from .work import WORK_KINDS

DEFAULT_LISTEN = "tcp:6667:interface=127.0.0.1"
SERIAL_IDLE_TIMEOUT = 300.0

LONGDESC = f"""\
A line server that welcomes each client with the date it connected and
answers every message with the time elapsed since then; `salir` ends a
session. --listen takes any Twisted server endpoint string, e.g. tcp:6667,
tcp6:6667:interface=\\:\\:1, unix:/tmp/tp.sock, ssl:6668:privateKey=k.pem;
give it several times to listen on several. Without --listen or --port the
server listens on {DEFAULT_LISTEN} (loopback only).
"""


def _number(kind, option, minimum, exclusive=False):
    """
    A coercer for C{--option} that names the option when the value is bad.
    """
    bound = f"greater than {minimum}" if exclusive else f"at least {minimum}"

    def check(value):
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or number < minimum or (exclusive and number == minimum):
            raise ValueError(f"--{option} must be a number {bound}, not {value!r}")
        return number

    return check


class Options(usage.Options):
    synopsis = "[options]"
    longdesc = LONGDESC
    optFlags = [
        ["quiet", "q", "Do not log every message (connections are still logged)."],
    ]
    optParameters = [
        ["mode", "m", "reactor", "Concurrency mode."],
        ["work", "w", 0.0, "Simulated work per message, in seconds.", _number(float, "work", 0)],
        ["work-kind", None, "sleep", f"What the work is: {', '.join(WORK_KINDS)}."],
        ["threads", "t", 10, "Worker threads in reactor mode.", _number(int, "threads", 0, True)],
        ["processes", None, 0, "Worker processes in processes mode; 0 means one per core.", _number(int, "processes", 0)],
        ["lang", "l", "es", f"Language of every text: {', '.join(LANGUAGES)}."],
        ["backlog", "b", 1024, "Listen backlog for endpoints that set none.", _number(int, "backlog", 0, True)],
        ["grace", "g", 10.0, "Seconds a graceful shutdown waits for pending replies.", _number(float, "grace", 0)],
        ["max-line-length", None, 1024, "Longest message accepted, in bytes.", _number(int, "max-line-length", 0, True)],
        ["idle-timeout", None, None,
         f"Close clients silent this long, in seconds; 0 disables. Default: off, "
         f"{SERIAL_IDLE_TIMEOUT:g} in serial mode.", _number(float, "idle-timeout", 0)],
        ["max-connections", None, None,
         "Most clients at once (serial mode: served plus held). Default: what the open-file limit allows.",
         _number(int, "max-connections", 0)],
        ["max-per-ip", None, 0, "Most clients at once from one address; 0 is no limit.", _number(int, "max-per-ip", 0)],
    ]
    compData = usage.Completions(
        optActions={"mode": usage.CompleteList(list(MODES)), "lang": usage.CompleteList(list(LANGUAGES))}
    )

    def __init__(self):
        usage.Options.__init__(self)
        self["listen"] = []
        # Read the registry now, so that a mode registered after import shows.
        self.docs["mode"] = "Concurrency mode: " + "; ".join(f"{n}: {m.summary}" for n, m in MODES.items()) + "."

    def opt_listen(self, description):
        """
        Listen on this endpoint (repeatable).
        """
        self["listen"].append(description)

    def opt_port(self, port):
        """
        Listen on this TCP port of 127.0.0.1 (short for --listen tcp:PORT:interface=127.0.0.1).
        """
        try:
            number = int(port)
            if not 0 <= number <= 65535:
                raise ValueError()
        except ValueError:
            raise usage.UsageError(f"--port must be a TCP port number (0-65535), not {port!r}") from None
        self["listen"].append(f"tcp:{number}:interface=127.0.0.1")

    opt_p = opt_port

    def postOptions(self):
        if self["mode"] not in MODES:
            raise usage.UsageError(f"unknown mode {self['mode']!r}; choose one of {', '.join(MODES)}")
        if self["lang"] not in LANGUAGES:
            raise usage.UsageError(f"unknown language {self['lang']!r}; choose one of {', '.join(LANGUAGES)}")
        if self["work-kind"] not in WORK_KINDS:
            raise usage.UsageError(
                f"unknown work kind {self['work-kind']!r}; choose one of {', '.join(WORK_KINDS)}"
            )
        if self["idle-timeout"] is None:
            self["idle-timeout"] = SERIAL_IDLE_TIMEOUT if self["mode"] == "serial" else 0.0
        # Raises our soft open-file limit to the hard one, whatever was asked.
        fileBound = defaultMaxConnections()
        if self["max-connections"] is None:
            self["max-connections"] = fileBound
        self["endpoints"] = [withBacklog(d, self["backlog"]) for d in self["listen"] or [DEFAULT_LISTEN]]
        from twisted.internet import reactor

        for description in self["endpoints"]:
            try:
                parseEndpoint(reactor, description)
            except ValueError as e:
                raise usage.UsageError(str(e)) from None

    def settings(self):
        return Settings(
            lang=self["lang"],
            work=self["work"],
            workKind=self["work-kind"],
            threads=self["threads"],
            processes=self["processes"],
            maxLineLength=self["max-line-length"],
            idleTimeout=self["idle-timeout"],
            maxConnections=self["max-connections"],
            maxPerIp=self["max-per-ip"],
            quiet=self["quiet"],
            grace=self["grace"],
        )


def makeService(options, reactor=None, clock=None):
    """
    The server for C{options}: the mode's factory and pool, one listening
    service per endpoint, and the operator's control (signals, console).
    """
    if reactor is None:
        from twisted.internet import reactor
    mode = modeNamed(options["mode"])
    factory, pool = mode.makeFactory(options.settings(), reactor, clock or SystemClock())
    listeners = [
        ListeningService(d, parseEndpoint(reactor, d), factory, mode.name) for d in options["endpoints"]
    ]
    return withOperator(TimeServer(factory, pool, listeners, reactor), reactor)
