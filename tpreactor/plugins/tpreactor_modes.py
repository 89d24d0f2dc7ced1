# -*- test-case-name: tests.test_modes -*-
"""
tpreactor's own concurrency modes, as plugins: each module-level instance
is a mode (L{tpreactor.modes.IConcurrencyMode}), in the order C{--help}
lists them.
"""

import os

from tpreactor.factory import SerialFactory
from tpreactor.modes import Mode, makeWork
from tpreactor.work import InlineExecutor, ThreadExecutor


class ReactorMode(Mode):
    name = "reactor"
    summary = "real concurrency: every client at once, the work in a thread pool (--threads)"
    poolOptions = ("threads",)

    def makeExecutor(self, settings, reactor):
        work = makeWork(settings)
        if not settings.work:
            return InlineExecutor(work)
        return ThreadExecutor(reactor, work, settings.threads)


class SerialMode(Mode):
    name = "serial"
    summary = "apparent concurrency: one client at a time, the rest wait their turn; the work blocks"
    # Holds the clients for their turn and pauses the ports meanwhile.
    factoryClass = SerialFactory
    # Several processes would serve several clients at once.
    allowsWorkers = False
    # One silent client holds everyone up.
    defaultIdleTimeout = 300.0

    def makeExecutor(self, settings, reactor):
        return InlineExecutor(makeWork(settings))


class ProcessesMode(Mode):
    name = "processes"
    summary = "real parallelism: the work in a pool of worker processes (--processes), for CPU-bound work"
    poolOptions = ("processes",)

    def makeExecutor(self, settings, reactor):
        from tpreactor.processes import ProcessExecutor

        work = makeWork(settings)
        if not settings.work:
            return InlineExecutor(work)
        return ProcessExecutor(reactor, work, settings.processes or os.cpu_count() or 1)


reactorMode = ReactorMode()
serialMode = SerialMode()
processesMode = ProcessesMode()
