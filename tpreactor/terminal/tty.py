# -*- test-case-name: tests.test_terminal_tty -*-
"""
The terminal the operator gets back: fds 0, 1 and 2 as they were when the
server started, and the exit status twistd itself cannot set.
"""

import atexit
import fcntl
import os
import sys
import termios

from ..logs.console import flushAll


class Terminal:
    """
    The state of fds 0, 1 and 2 when the server started, put back at exit:
    the non-blocking flag (C{StandardIO} and others set it) and the terminal
    attributes.
    """

    def __init__(self, fds=(0, 1, 2)):
        self.fds = fds
        self._flags = {}
        self._attrs = None

    @staticmethod
    def interactive():
        """
        Whether an operator sits at this process: stdin and stdout are
        terminals and we are in their foreground (a background job that
        read its terminal would be stopped by SIGTTIN).
        """
        try:
            return os.isatty(0) and os.isatty(1) and os.tcgetpgrp(0) == os.getpgrp()
        except OSError:
            return False

    def save(self):
        for fd in self.fds:
            try:
                self._flags[fd] = fcntl.fcntl(fd, fcntl.F_GETFL)
            except OSError:
                pass
        try:
            self._attrs = termios.tcgetattr(self.fds[0]) if os.isatty(self.fds[0]) else None
        except termios.error:
            self._attrs = None

    def restore(self):
        """
        Put the blocking flag and the terminal attributes back as they were.
        """
        for fd, saved in self._flags.items():
            try:
                flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                wanted = (flags & ~os.O_NONBLOCK) | (saved & os.O_NONBLOCK)
                if wanted != flags:
                    fcntl.fcntl(fd, fcntl.F_SETFL, wanted)
            except OSError:
                pass
        if self._attrs is not None:
            try:
                if termios.tcgetattr(self.fds[0]) != self._attrs:
                    termios.tcsetattr(self.fds[0], termios.TCSADRAIN, self._attrs)
            except termios.error:
                pass


class ExitStatus:
    """
    A non-zero exit status for a process that twistd will end with 0.

    twistd returns normally once the reactor has stopped (its C{run()}
    returns C{None}) and there is no hook to change that; a SystemExit in an
    atexit handler is ignored. So when the status is not 0 the handler ends
    the process itself with C{os._exit}, after the terminal is restored and
    stdout and stderr are flushed (and the console lines the log observer
    holds, L{tpreactor.logs.console.flushAll}). It
    is registered when the reactor starts; atexit handlers run last-in first
    out, so the ones registered later have run by then, and of the ones
    registered earlier only the standard library's logging needs a call.
    """

    def __init__(self, terminal, exit=os._exit, flush=None):
        self.terminal = terminal
        self.code = 0
        self._exit = exit
        self._flush = flush or flushEverything
        self._registered = False

    def register(self):
        if not self._registered:
            self._registered = True
            atexit.register(self.atExit)

    def atExit(self):
        self.terminal.restore()
        if self.code:
            self.now(self.code)

    def now(self, code):
        """
        End the process with C{code} at once, leaving the terminal as found.
        """
        self.terminal.restore()
        self._flush()
        self._exit(code)


def flushEverything():
    """
    What a normal exit would flush: the standard library's logging (its
    atexit handler will not run) and the standard streams.
    """
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    # The console lines held for the reactor's next flush, then the streams;
    # none of it may keep the process from ending (a reader gone, a full disk).
    try:
        flushAll()
    except Exception:
        pass
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
