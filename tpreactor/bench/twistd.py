# -*- test-case-name: tests.test_bench_twistd -*-
"""
How the bench starts a tpreactor server: C{twistd -n tpreactor}'s command
line for one mode.  The bench imports nothing of the server (it speaks the
wire); what it needs of it, it names by strings.
"""

import shutil
import sys
from pathlib import Path

#: The console observer the servers run with (C{twistd --logger}): the
#: same lines as twistd's own for less CPU.  A string, not an import: a test
#: checks that it names a callable the server package really has.
SERVER_LOGGER = "tpreactor.consolelog.observer"


def twistdCommand():
    """
    The C{twistd} next to our interpreter, else the one on C{PATH}.
    """
    beside = Path(sys.executable).with_name("twistd")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("twistd")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from twisted.scripts.twistd import run; sys.exit(run())"]


def tpreactorArgs(mode, port, work=0.0, workKind="sleep", threads=None, processes=None, backlog=None,
                  logger=SERVER_LOGGER):
    """
    The command line of C{twistd -n tpreactor} for one mode; C{logger} is
    what it gives C{twistd --logger} (C{None}: twistd's own observer).
    """
    twistdOptions = [f"--logger={logger}"] if logger else []
    args = [*twistdCommand(), "--pidfile=", *twistdOptions, "-n", "tpreactor", "--port", str(port), "--mode", mode,
            "--quiet"]
    args += ["--work", repr(float(work)), "--work-kind", workKind]
    if threads:
        args += ["--threads", str(threads)]
    if processes and mode == "processes":
        args += ["--processes", str(processes)]
    if backlog:
        args += ["--backlog", str(backlog)]
    return args
