# -*- test-case-name: tests.test_workers_commands,tests.test_workers_server,tests.test_e2e_workers,tests.test_workers_model -*-
"""
C{--workers N}: the main process opens the listening sockets and starts N
worker processes that share them, each a whole tpreactor of its own; the
two sides talk over Twisted's AMP (L{tpreactor.workers.commands}) on a
socket pair. The main side is L{tpreactor.workers.server} (what the
operator controls) and L{tpreactor.workers.supervisor} (the processes);
the worker side is L{tpreactor.workers.child} (its program) and
L{tpreactor.workers.control} (what it answers). With C{--status}, the main
process serves the whole server's status: its L{tpreactor.workers.server.WorkersServer}
is the model of them all (L{tpreactor.model}).
"""

import os

from twisted.python.usage import UsageError

from ..messages import catalogue
from .ports import endpointKind, shareable


def workerCount(asked, cores=None):
    """
    How many workers C{--workers asked} means: 0 is one per core.
    """
    if asked:
        return asked
    return cores or os.cpu_count() or 1


def checkWorkers(asked, mode, lang, descriptions, cores=None):
    """
    L{UsageError}, in one line, when C{--workers asked} cannot be: C{mode}
    does not allow several processes, or an endpoint's socket cannot be
    shared.
    """
    if workerCount(asked, cores) == 1:
        return
    cat = catalogue(lang)
    if not mode.allowsWorkers:
        raise UsageError(cat.noWorkers.format(mode=mode.name))
    for description in descriptions:
        if not shareable(description):
            raise UsageError(cat.workersCannotShare.format(description=description, kind=endpointKind(description)))
