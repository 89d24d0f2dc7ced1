"""
`twistd -n tpreactor` on a pseudo-terminal, for the trial tests of the
operator's side: Ctrl+C, the console's commands, what the screen shows, and
the terminal closed under the server.
"""

import os
import re

from .contract import PROMPT, READY
from .support import DEADLINE_SECONDS, LISTENING, TWISTD, TerminalProcess, freePort, until




class OperatorTerminal(TerminalProcess):
    """
    `twistd [TWISTDARGS] -n tpreactor ARGS` on a pseudo-terminal that is its
    controlling terminal: what an operator at a shell sees and types.
    """

    def __init__(self, *args, twistdArgs=()):
        self.port = freePort()
        TerminalProcess.__init__(
            self, [TWISTD, "--pidfile=", *twistdArgs, "-n", "tpreactor", "--port", str(self.port), *args]
        )

    def startServing(self):
        """
        Start, and wait until the operator's console is open (Ctrl+C and
        SIGHUP are the server's from then on).
        """
        self.start()
        self.waitFor(LISTENING)
        self.waitFor(READY)
        return self

    def interrupt(self):
        """
        Ctrl+C, and wait for the question; return where it starts.
        """
        mark = len(self.text)
        self.type(b"\x03")
        self.waitFor(PROMPT, mark)
        return mark

    def command(self, line, expect):
        """
        Type a line and wait for C{expect} in what follows; return it all.
        """
        mark = len(self.text)
        self.type(line + "\n")
        self.waitFor(expect, mark)
        return self.text[mark:]

    def hangUp(self):
        """
        Close the terminal: the last close of the master hangs the terminal
        up (the kernel sends SIGHUP to the server, which leads the session)
        and every later write to it fails with EIO.
        """
        os.close(self.master)
        self.master = None

    def exited(self, deadline=DEADLINE_SECONDS):
        """
        Wait for the server to exit without reading its terminal (gone, or
        not); return its status.
        """
        until(lambda: self.proc.poll() is not None, "the server's exit", deadline)
        return self.proc.returncode

    def close(self):
        if self.master is None:
            self.master = os.open(os.devnull, os.O_RDONLY)
        TerminalProcess.close(self)


def screenLines(text):
    """
    The lines a terminal shows for C{text}: a carriage return goes back to
    the start of the line, C{ESC [K} erases from there to its end, a newline
    starts the next line.
    """
    lines, line, column = [], "", 0
    for part in re.split(r"(\r|\n|\x1b\[K)", text):
        if part == "\r":
            column = 0
        elif part == "\n":
            lines.append(line)
            line, column = "", 0
        elif part == "\x1b[K":
            line = line[:column]
        elif part:
            line = line[:column] + part + line[column + len(part):]
            column += len(part)
    return lines + [line]
