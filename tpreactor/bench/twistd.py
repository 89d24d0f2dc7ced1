# -*- test-case-name: tests.test_bench_twistd -*-
"""
How the bench starts a tpreactor server: C{twistd -n tpreactor}'s command
line for one mode.  The bench imports nothing of the server (it speaks the
wire); what it needs of it, it names by strings.
"""

import shutil
import sys
from pathlib import Path

#: tpreactor's console observer, by name (twistd's default for tpreactor
#: now; C{--server-logger} can still name it). A string, not an import: a
#: test checks that it names a callable the server package really has.
SERVER_LOGGER = "tpreactor.logs.console.observer"
#: twistd's own text observer, by name: what C{twistd -n tpreactor} wrote
#: its lines with before tpreactor's observer became the default.
TWISTD_OBSERVER = "tpreactor.logs.twistd.twistdObserver"

#: The variants of the command the bench runs for each mode: the command a
#: user types (C{default}), without the console line per message
#: (C{quiet}), and with twistd's own observer (C{twistdlog}).
VARIANTS = {
    "default": {},
    "quiet": {"quiet": True},
    "twistdlog": {"logger": TWISTD_OBSERVER},
}


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
                  logger=None, quiet=False, workers=None):
    """
    The command line of C{twistd -n tpreactor} for one mode: the command a
    user types, plus C{twistd --logger=LOGGER} if given, C{--quiet} if
    C{quiet}, and C{--workers N} if C{workers} is given (C{None}: one process).
    """
    twistdOptions = [f"--logger={logger}"] if logger else []
    args = [*twistdCommand(), "--pidfile=", *twistdOptions, "-n", "tpreactor", "--port", str(port), "--mode", mode]
    if quiet:
        args.append("--quiet")
    args += ["--work", repr(float(work)), "--work-kind", workKind]
    if threads:
        args += ["--threads", str(threads)]
    if processes and mode == "processes":
        args += ["--processes", str(processes)]
    if backlog:
        args += ["--backlog", str(backlog)]
    if workers is not None:
        args += ["--workers", str(workers)]
    return args
