# -*- test-case-name: tests.test_bench_servermodes -*-
"""
The modes C{--modes} accepts, asked of the server in a subprocess: the
bench imports nothing of the server, and a mode added to the server as a
plugin is one the bench can start.
"""

import subprocess
import sys

#: What the server is asked: its modes' names, in its order, on one line.
ASK = "from tpreactor.modes import allModes; print(' '.join(m.name for m in allModes()))"
ASK_SECONDS = 60.0


class ServerModes:
    """
    The names of the server's modes, asked the first time they are needed
    (a run that does not name modes never asks). When the server cannot be
    asked, every name is let through: the server says what is wrong when it
    starts.
    """

    def __init__(self, command=(sys.executable, "-c", ASK)):
        self.command = list(command)
        self._names = None

    def names(self):
        """
        The names, or C{None} when the server could not be asked.
        """
        if self._names is None:
            try:
                result = subprocess.run(self.command, capture_output=True, text=True, timeout=ASK_SECONDS)
            except (OSError, subprocess.SubprocessError):
                return None
            if result.returncode or not result.stdout.split():
                return None
            self._names = result.stdout.split()
        return self._names

    def __contains__(self, name):
        names = self.names()
        return names is None or name in names

    def __iter__(self):
        return iter(self.names() or ())


MODES = ServerModes()
