# -*- test-case-name: tests.test_tap -*-
"""
The twistd plugin's options and the service they build.
"""

from twisted.python import usage

from .clock import SystemClock
from .commandline import Number, SpeakingOptions
from .logs.twistd import observerFor
from .endpoints import parseEndpoint, withBacklog
from .factory import Settings
from .messages import LANGUAGES, catalogue
from .modes import allModes
from .proxy import DEFAULT_TRUSTED, parseTrusted
from .service import TimeServer
from .listening import ListeningService
from .openfiles import defaultMaxConnections
from .terminal import withOperator
from .startup import checkSocketFolder, checkTwistdFiles
from .status import addStatus
from .status.options import StatusOptions
from .work import WORK_KINDS
from .workers import checkWorkers, workerCount

DEFAULT_LISTEN = "tcp:6667:interface=127.0.0.1"

LONGDESC = catalogue("en").helpLongdesc.format(listen=DEFAULT_LISTEN)


def _number(kind, option, minimum, exclusive=False):
    """
    A coercer for C{--option} that names the option when the value is bad.
    """
    return Number(kind, option, minimum, exclusive)


def _inModes(modes, prefix=None, cat=None):
    """
    " in serial mode": where an option's default or use depends on the
    mode; "" when no mode makes it so.
    """
    cat = cat or catalogue("en")
    return (prefix or cat.inModes).format(modes=cat.orWord.join(m.name for m in modes)) if modes else ""


def _modeDocs(modes, cat=None):
    """
    The help of the options whose use or default depends on the mode, from
    C{modes}, in C{cat}'s language (English without one).
    """
    cat = cat or catalogue("en")
    pool = {option: [m for m in modes if option in m.poolOptions] for option in ("threads", "processes")}
    idle = "".join(f", {m.defaultIdleTimeout:g}{_inModes([m], cat=cat)}" for m in modes if m.defaultIdleTimeout)
    held = _inModes([m for m in modes if m.holdsClients], cat.heldModes, cat)
    helps = cat.optionHelp
    return {
        "threads": helps["threads"].format(inModes=_inModes(pool["threads"], cat=cat)),
        "processes": helps["processes"].format(inModes=_inModes(pool["processes"], cat=cat)),
        "idle-timeout": helps["idle-timeout"].format(idle=idle),
        "max-connections": helps["max-connections"].format(held=held),
        "workers": helps["workers"].format(inModes=_inModes([m for m in modes if m.allowsWorkers], cat=cat)),
    }


class _Completions:
    """
    C{compData}, read when a shell asks: the modes the plugins give then.
    """

    def __get__(self, instance, owner):
        modes = allModes()
        return usage.Completions(
            descriptions=_modeDocs(modes),
            optActions={
                "mode": usage.CompleteList([m.name for m in modes]),
                "lang": usage.CompleteList(list(LANGUAGES)),
            },
        )


class Options(StatusOptions, SpeakingOptions):
    synopsis = "[options]"
    longdesc = LONGDESC
    optFlags = [
        ["quiet", "q", None],
    ]
    # The help of every option is in the catalogue: see document.
    optParameters = [
        ["mode", "m", "reactor", None],
        ["work", "w", 0.0, None, _number(float, "work", 0)],
        ["work-kind", None, "sleep", None],
        ["threads", "t", 10, None, _number(int, "threads", 0, True)],
        ["processes", None, 0, None, _number(int, "processes", 0)],
        ["lang", "l", "es", None],
        ["backlog", "b", 1024, None, _number(int, "backlog", 0, True)],
        ["grace", "g", 10.0, None, _number(float, "grace", 0)],
        ["max-line-length", None, 1024, None, _number(int, "max-line-length", 0, True)],
        ["idle-timeout", None, None, None, _number(float, "idle-timeout", 0)],
        ["max-connections", None, None, None, _number(int, "max-connections", 0)],
        ["workers", None, 1, None, _number(int, "workers", 0)],
        ["worker-timeout", None, 10.0, None, _number(float, "worker-timeout", 0)],
        ["trusted-proxies", None, None, None],
        ["max-per-ip", None, 0, None, _number(int, "max-per-ip", 0)],
    ]
    compData = _Completions()

    def __init__(self, lang=None):
        self.modes = {}
        SpeakingOptions.__init__(self, lang)
        self["listen"] = []

    def document(self):
        self._documentModes(allModes())

    def _documentModes(self, modes):
        """
        The help in the server's language, with what depends on the mode
        from the modes the plugins give now (one dropped in after import
        shows too).
        """
        cat = self.cat
        self.modes = {m.name: m for m in modes}
        helps = cat.optionHelp
        names = ("quiet", "work", "backlog", "grace", "max-line-length", "max-per-ip", "listen", "port",
                 "worker-timeout", "trusted-proxies")
        for name in names:
            self.docs[name] = helps[name]
        self.documentStatus(cat)
        self.docs["work-kind"] = helps["work-kind"].format(kinds=", ".join(WORK_KINDS))
        self.docs["lang"] = helps["lang"].format(langs=", ".join(LANGUAGES))
        summaries = "; ".join(f"{m.name}: {cat.modeSummaries.get(m.name, m.summary)}" for m in modes)
        self.docs["mode"] = helps["mode"].format(modes=summaries)
        self.docs.update(_modeDocs(modes, cat))
        self.longdesc = cat.helpLongdesc.format(listen=DEFAULT_LISTEN)

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
            raise usage.UsageError(self.cat.badPort.format(value=repr(port))) from None
        self["listen"].append(f"tcp:{number}:interface=127.0.0.1")

    opt_p = opt_port

    def postOptions(self):
        cat = self.cat
        if self["lang"] not in LANGUAGES:
            raise usage.UsageError(cat.unknownLanguage.format(lang=repr(self["lang"]), langs=", ".join(LANGUAGES)))
        mode = self.modes.get(self["mode"])
        if mode is None:
            raise usage.UsageError(cat.unknownMode.format(mode=repr(self["mode"]), modes=", ".join(self.modes)))
        if self["work-kind"] not in WORK_KINDS:
            raise usage.UsageError(
                cat.unknownWorkKind.format(kind=repr(self["work-kind"]), kinds=", ".join(WORK_KINDS))
            )
        if self["idle-timeout"] is None:
            self["idle-timeout"] = mode.defaultIdleTimeout
        # Raises our soft open-file limit to the hard one, whatever was asked.
        fileBound = defaultMaxConnections()
        self.maxConnectionsGiven = self["max-connections"] is not None
        if self["max-connections"] is None:
            self["max-connections"] = fileBound
        self["endpoints"] = [withBacklog(d, self["backlog"]) for d in self["listen"] or [DEFAULT_LISTEN]]
        checkWorkers(self["workers"], mode, self["lang"], self["endpoints"])
        if self["trusted-proxies"] is not None:
            try:
                self["trusted-proxies"] = parseTrusted(self["trusted-proxies"])
            except ValueError as e:
                raise usage.UsageError(cat.badTrustedProxies.format(item=repr(str(e)))) from None
        from twisted.internet import reactor

        endpoints = []
        for description in self["endpoints"]:
            try:
                endpoints.append((description, parseEndpoint(reactor, description, cat.lang)))
            except ValueError as e:
                raise usage.UsageError(str(e)) from None
        # The files twistd opens (log, pid) and the folders of unix sockets,
        # before twistd tries them.
        if self.parent is not None:
            checkTwistdFiles(self.parent, cat)
        for description, endpoint in endpoints:
            checkSocketFolder(description, endpoint, cat)
        self.checkStatus(reactor, cat)

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
            trustedProxies=self["trusted-proxies"] or DEFAULT_TRUSTED,
        )


def makeService(options, reactor=None, clock=None):
    """
    The server for C{options}: the mode's factory and pool, one listening
    service per endpoint, and the operator's control (signals, console).
    """
    if reactor is None:
        from twisted.internet import reactor
    # The modes read when the options were (the plugins are read once).
    mode = options.modes[options["mode"]]
    count = workerCount(options["workers"])
    if count > 1:
        from .workers.wiring import makeWorkersService

        return makeWorkersService(options, mode, count, reactor)
    factory, pool = mode.makeFactory(options.settings(), reactor, clock or SystemClock())
    listeners = [
        ListeningService(d, parseEndpoint(reactor, d), factory, mode.name) for d in options["endpoints"]
    ]
    server = TimeServer(factory, pool, listeners, reactor, mode.name)
    if options.statusConfig is not None:
        config = options.statusConfig
        addStatus(server, config, parseEndpoint(reactor, config.description))
    server = withOperator(server, reactor)
    # Under twistd the options have a parent, twistd's: with no --logger,
    # the console lines go through tpreactor's observer (made once the
    # operator's screen, if any, stands in front of standard output).
    twistdOptions = getattr(options, "parent", None)
    server.makeLogObserver = lambda: observerFor(twistdOptions, reactor)
    return server
