# -*- test-case-name: tests.test_terminal_screen -*-
"""
The operator's terminal as one output stream that knows the prompt it
shows: the log and the console both write through it, so a log line written
while a question waits for its answer goes above the prompt, which is shown
again below it (as readline programs do), and a terminal that is gone (hung
up) takes what is written without failing.
"""

import errno
import os
import sys

#: Back to the start of the line, and erase it: the prompt, and what the
#: operator had typed after it, which the terminal still holds and echoes
#: no more (the answer still counts when Enter is pressed).
ERASE_LINE = "\r\x1b[K"
#: What a terminal that is gone answers a write with.
GONE = frozenset({errno.EIO, errno.ENXIO, errno.EPIPE, errno.EBADF})


class ServerScreen:
    """
    A text stream in front of the terminal's (C{sys.stdout}'s), owning the
    prompt currently shown on it.

    @ivar prompt: the prompt the console shows, or C{None}.
    @ivar gone: whether the terminal is gone (a write failed with EIO): what
        is written from then on is dropped.
    """

    def __init__(self, out):
        self._out = out
        self.prompt = None
        self._shown = False
        self.gone = False

    # -- the console's side ------------------------------------------------------

    def showPrompt(self, prompt):
        """
        Show C{prompt} at the end of the screen, and again after every log
        line, until L{clearPrompt}.
        """
        self.prompt = prompt
        self._write(prompt)
        self._shown = True
        self.flush()

    def clearPrompt(self, erase=True):
        """
        The prompt is answered (or withdrawn): no longer shown again; with
        C{erase}, one shown again after the answer was typed is erased.
        """
        if self._shown and erase:
            # After an answer the cursor is on the line below the prompt,
            # empty unless a log line redrew the prompt there meanwhile.
            self._write(ERASE_LINE)
            self.flush()
        self.prompt = None
        self._shown = False

    # -- a text stream, for the log -------------------------------------------

    def write(self, text):
        if self.prompt is None or not text:
            self._write(text)
            return len(text)
        if self._shown:
            self._write(ERASE_LINE)
            self._shown = False
        self._write(text)
        if text.endswith("\n"):
            self._write(self.prompt)
            self._shown = True
            self.flush()
        return len(text)

    def flush(self):
        if self.gone:
            return
        try:
            self._out.flush()
        except OSError as e:
            self._lost(e)

    def __getattr__(self, name):
        # fileno, isatty, encoding...: the terminal's stream's own.
        return getattr(self._out, name)

    def _write(self, text):
        if self.gone:
            return
        try:
            self._out.write(text)
        except OSError as e:
            self._lost(e)

    def _lost(self, error):
        if error.errno not in GONE:
            raise error
        self.gone = True
        # What the stream still holds for the terminal goes nowhere, rather
        # than failing again when the interpreter flushes it at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._out.fileno())
            finally:
                os.close(devnull)
        except (OSError, AttributeError, ValueError):
            pass


def inFrontOfStdout(interactive, system=sys):
    """
    When an operator sits at the terminal (C{interactive()}), put a
    L{ServerScreen} in front of C{sys.stdout} and return it, else C{None}.

    Called while the service is made: twistd's log observer, and tpreactor's
    (C{--logger}), take C{sys.stdout} later, when logging begins.
    """
    if not interactive():
        return None
    screen = ServerScreen(system.stdout)
    system.stdout = screen
    return screen
