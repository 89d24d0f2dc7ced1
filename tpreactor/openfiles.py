# -*- test-case-name: tests.test_openfiles -*-
"""
The open-file limit: every client costs a descriptor, so the soft limit is
raised to the hard one, and how many connections may be open at once, and
how many of them served, is what it allows.
"""

import resource

#: File descriptors kept free for the server itself (log files, the pool,
#: the listening sockets) when the connection limits are computed.
DESCRIPTOR_MARGIN = 64
#: Of the descriptors for connections, how many are kept for clients being
#: told that the server is full: each holds one until its line is written.
REFUSAL_RESERVE = 16


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


def maxOpenConnections(system=resource):
    """
    How many client connections may be open at once (served, held or being
    refused) under our soft limit on open files as it is now: all but
    L{DESCRIPTOR_MARGIN}, and at least 2; 0 (no limit) when there is none.
    """
    soft, _ = system.getrlimit(system.RLIMIT_NOFILE)
    if soft == system.RLIM_INFINITY:
        return 0
    return max(2, soft - DESCRIPTOR_MARGIN)


def servedWithin(maxOpen):
    """
    How many clients may be served (or held for their turn) at once when
    C{maxOpen} connections may be open: the rest, up to L{REFUSAL_RESERVE},
    is kept to tell the next clients that the server is full. 0 (no limit)
    when C{maxOpen} is.
    """
    if not maxOpen:
        return 0
    return max(1, maxOpen - min(REFUSAL_RESERVE, maxOpen // 2))


def defaultMaxConnections(system=resource):
    """
    As many connections as the open-file limit allows, once raised, less a
    margin and the reserve for refusals; 0 (no limit) when there is no limit
    on open files.
    """
    raiseOpenFileLimit(system)
    return servedWithin(maxOpenConnections(system))
