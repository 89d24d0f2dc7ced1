# -*- test-case-name: tests.test_modes -*-
"""
What a concurrency mode is (L{IConcurrencyMode}) and where the modes are
found: Twisted plugins in L{tpreactor.plugins}, so that a new mode is one
module in a C{tpreactor/plugins/} directory anywhere on C{sys.path}.
"""

from twisted.application.service import IService
from twisted.plugin import IPlugin, getPlugins
from zope.interface import Attribute, Interface, implementer

from . import plugins
from .factory import TimeFactory
from .work import WORK_KINDS


class IConcurrencyMode(Interface):
    """
    A way of serving clients: which factory decides who is served, and where
    the work for a message runs. Everything that differs between two modes
    is declared here; nothing else in the package asks which mode it is.
    """

    name = Attribute("The value of --mode.")
    summary = Attribute("One line for --help.")
    holdsClients = Attribute(
        "Whether it serves one client at a time and holds the rest, unwelcomed, for their turn."
    )
    pausesPorts = Attribute("Whether the listening ports stop accepting while a client is served.")
    allowsWorkers = Attribute(
        "Whether --workers may start several processes that share the listening sockets "
        "(not when one client at a time is the point)."
    )
    defaultIdleTimeout = Attribute("Seconds of silence that close a client when --idle-timeout is not given; 0 is never.")
    poolOptions = Attribute("The options that size its pool: a tuple of 'threads' and/or 'processes'.")
    factoryClass = Attribute("The factory, called with (settings, reactor, clock, executor).")

    def makeExecutor(settings, reactor):
        """
        Where the work for a message runs: an executor for C{settings}.
        """

    def makeFactory(settings, reactor, clock):
        """
        The factory for every listening port, and the service (or C{None})
        whose start and stop bracket the pool the work runs in.
        """


def makeWork(settings):
    """
    The work a message costs, as the operator chose it.
    """
    return WORK_KINDS[settings.workKind](settings.work)


@implementer(IPlugin, IConcurrencyMode)
class Mode:
    """
    What most modes share: a subclass gives C{name}, C{summary} and
    C{makeExecutor}, and a C{factoryClass} when the clients are not all
    served at once. A module-level instance in C{tpreactor/plugins/} is the
    plugin.
    """

    factoryClass = TimeFactory
    allowsWorkers = True
    defaultIdleTimeout = 0.0
    poolOptions = ()

    @property
    def holdsClients(self):
        return self.factoryClass.holdsClients

    @property
    def pausesPorts(self):
        return self.factoryClass.pausesPorts

    def makeExecutor(self, settings, reactor):
        raise NotImplementedError(f"{type(self).__name__} must say where the work runs")

    def makeFactory(self, settings, reactor, clock):
        executor = self.makeExecutor(settings, reactor)
        factory = self.factoryClass(settings, reactor, clock, executor)
        return factory, (executor if IService.providedBy(executor) else None)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


def allModes():
    """
    Every mode the plugins provide, read now: tpreactor's own first (its
    directory comes first in L{tpreactor.plugins}' C{__path__}), in the
    order their module defines them; of two modes with one name, the first.
    """
    found = {}
    for mode in getPlugins(IConcurrencyMode, plugins):
        found.setdefault(mode.name, mode)
    return list(found.values())


def modeNamed(name):
    """
    The mode called C{name}, or L{KeyError} naming the modes there are.
    """
    modes = allModes()
    for mode in modes:
        if mode.name == name:
            return mode
    raise KeyError(f"unknown mode {name!r}; choose one of {', '.join(m.name for m in modes)}")
