# -*- test-case-name: tests.test_modes -*-
"""
The registry of concurrency modes: a new mode is one class here, decorated
with L{registerMode}, and it shows up in C{--mode} and its help by itself.
"""

from twisted.application.service import IService
from zope.interface import Attribute, Interface, implementer

import os

from .factory import SerialFactory, TimeFactory
from .work import WORK_KINDS, InlineExecutor, ThreadExecutor

MODES = {}


class IConcurrencyMode(Interface):
    """
    A way of serving clients: which factory decides who is served, and where
    the work for a message runs.
    """

    name = Attribute("The value of --mode.")
    summary = Attribute("One line for --help.")

    def makeFactory(settings, reactor, clock):
        """
        The factory for every listening port, and the service (or C{None})
        whose start and stop bracket the pool the work runs in.
        """


def registerMode(cls):
    """
    Make C{cls} available as C{--mode <cls.name>}.
    """
    MODES[cls.name] = cls
    return implementer(IConcurrencyMode)(cls)


def makeWork(settings):
    return WORK_KINDS[settings.workKind](settings.work)


@registerMode
class ReactorMode:
    name = "reactor"
    summary = "real concurrency: every client at once, the work in a thread pool (--threads)"
    factoryClass = TimeFactory

    def makeExecutor(self, settings, reactor):
        work = makeWork(settings)
        if not settings.work:
            return InlineExecutor(work)
        return ThreadExecutor(reactor, work, settings.threads)

    def makeFactory(self, settings, reactor, clock):
        executor = self.makeExecutor(settings, reactor)
        factory = self.factoryClass(settings, reactor, clock, executor)
        return factory, (executor if IService.providedBy(executor) else None)


@registerMode
class SerialMode(ReactorMode):
    name = "serial"
    summary = "apparent concurrency: one client at a time, the rest wait their turn; the work blocks"
    factoryClass = SerialFactory

    def makeExecutor(self, settings, reactor):
        return InlineExecutor(makeWork(settings))


@registerMode
class ProcessesMode(ReactorMode):
    name = "processes"
    summary = "real parallelism: the work in a pool of worker processes (--processes), for CPU-bound work"

    def makeExecutor(self, settings, reactor):
        from .processes import ProcessExecutor

        work = makeWork(settings)
        if not settings.work:
            return InlineExecutor(work)
        return ProcessExecutor(reactor, work, settings.processes or os.cpu_count() or 1)


def modeNamed(name):
    """
    The mode called C{name}, or L{KeyError} naming the modes there are.
    """
    try:
        return MODES[name]()
    except KeyError:
        raise KeyError(f"unknown mode {name!r}; choose one of {', '.join(MODES)}") from None
