# -*- test-case-name: tests.test_bench -*-
"""What a bench run ran on, for its JSON: the command, the servers, the machine, the versions."""

import os
import platform
import sys


def configuration(args, servers, loadProcesses, loop):
    """
    The exact configuration of a run, for the JSON.
    """
    from importlib.metadata import PackageNotFoundError, version

    def ver(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "argv": list(sys.argv),
        "options": {k: v for k, v in vars(args).items() if k != "func"},
        "servers": [s.describe() for s in servers],
        "load_processes": loadProcesses,
        "load_event_loop": loop,
        "cores": os.cpu_count(),
        "loadavg_at_end": list(os.getloadavg()),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "tpreactor_source": sourceRevision(),
        "versions": {name: ver(name) for name in
                     ("tpreactor", "twisted", "uvloop", "hdrhistogram", "psutil", "rich", "matplotlib")},
    }


def sourceRevision():
    """
    C{git describe --always --dirty} of the tpreactor source tree, if it is a checkout.
    """
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=here, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
