# -*- test-case-name: tests.test_openfiles -*-
"""
The open-file limit: every client costs a descriptor, so the soft limit is
raised to the hard one, and the default connection limit is what it allows.
"""

import resource

#: File descriptors kept free for the server itself (log files, the pool,
#: the listening sockets) when the default connection limit is computed.
DESCRIPTOR_MARGIN = 64


def raiseOpenFileLimit(system=resource):
    """
    Raise our own soft limit on open files to the hard limit and return it:
    every client costs a descriptor.

    @param system: the C{resource} module, or a fake of it.
    """
    soft, hard = system.getrlimit(system.RLIMIT_NOFILE)
    if hard != system.RLIM_INFINITY and soft < hard:
        try:
            system.setrlimit(system.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def defaultMaxConnections(system=resource):
    """
    As many connections as the open-file limit allows, less a margin; 0 (no
    limit) when there is no limit on open files.
    """
    limit = raiseOpenFileLimit(system)
    if limit == system.RLIM_INFINITY:
        return 0
    return max(1, limit - DESCRIPTOR_MARGIN)
