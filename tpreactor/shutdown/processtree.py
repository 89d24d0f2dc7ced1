# -*- test-case-name: tests.test_terminal_operator -*-
"""
The processes this one started, and the ones they started, found through
C{/proc}: the worker processes that option 3 must end first.
"""

import os
import signal


def descendants(pid, proc="/proc"):
    """
    The processes started by C{pid}, and by them, and so on (from C{/proc};
    none where there is no C{/proc}).
    """
    children = {}
    try:
        entries = os.listdir(proc)
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, "stat")) as f:
                stat = f.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child)
    return found


def terminateDescendants():
    """
    Send SIGTERM to every process this one started, and they started.
    """
    for child in descendants(os.getpid()):
        try:
            os.kill(child, signal.SIGTERM)
        except OSError:
            pass
