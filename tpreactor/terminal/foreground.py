# -*- test-case-name: tests.test_terminal_foreground -*-
"""
Run a command as the terminal's foreground job, so that Ctrl+C reaches it
alone: C{make run} starts the server through this, and make's exit status is
then the server's (make, hit by the same Ctrl+C, would otherwise wait for the
server and exit 130 whatever the operator chose).

    python -m tpreactor.terminal.foreground COMMAND [ARGS...]

Without a terminal the command simply replaces this process.
"""

import os
import signal
import sys


def _giveTerminal(fd, group):
    """
    Make C{group} the foreground process group of the terminal C{fd}; a
    background process may do so only with SIGTTOU ignored.
    """
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, group)
    except OSError:
        pass
    finally:
        signal.signal(signal.SIGTTOU, previous)


def _ownsTerminal(fd):
    try:
        return os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False


def exitCode(status):
    """
    A shell's exit code for a C{waitpid} status: 128 + N for signal N.
    """
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def runInForeground(argv, fd=0):
    """
    Run C{argv} in a process group of its own that owns the terminal, wait
    for it, take the terminal back and return its exit code.
    """
    if not _ownsTerminal(fd):
        os.execvp(argv[0], argv)
    ours = os.getpgrp()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            _giveTerminal(fd, os.getpgrp())
            os.execvp(argv[0], argv)
        except OSError as e:
            sys.stderr.write(f"{argv[0]}: {e.strerror}\n")
        os._exit(127)
    try:
        os.setpgid(pid, pid)  # either of us may get there first
    except OSError:
        pass
    _giveTerminal(fd, pid)
    # A Ctrl+C typed before the child owns the terminal is the child's too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            break
        # Ctrl+Z stopped the command: stop as a whole job, as a shell would
        # see it, and give it the terminal back when continued.
        _giveTerminal(fd, ours)
        os.kill(0, signal.SIGSTOP)
        _giveTerminal(fd, pid)
        os.killpg(pid, signal.SIGCONT)
    _giveTerminal(fd, ours)
    return exitCode(status)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        sys.stderr.write("usage: python -m tpreactor.terminal.foreground COMMAND [ARGS...]\n")
        return 2
    return runInForeground(argv)


if __name__ == "__main__":
    sys.exit(main())
