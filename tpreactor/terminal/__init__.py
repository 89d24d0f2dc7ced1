# -*- test-case-name: tests.test_terminal_operator,tests.test_terminal_console,tests.test_terminal_screen -*-
"""
The operator's terminal: the console's commands and the Ctrl+C question
(L{tpreactor.terminal.console}), the screen the log and the prompt share
(L{tpreactor.terminal.screen}), the signals and the answers to the
question (L{tpreactor.terminal.operator}), the terminal as it was found
and the exit status (L{tpreactor.terminal.tty}), and the server as the
terminal's foreground job under C{make run}
(L{tpreactor.terminal.foreground}). L{withOperator} puts the operator in
front of a server.
"""

from .operator import Operator
from .screen import inFrontOfStdout
from .tty import Terminal

__all__ = ["Operator", "withOperator"]


def withOperator(server, reactor):
    """
    C{server} with an L{Operator} as its child: what twistd runs.

    When an operator sits at the terminal, its output goes through a
    L{tpreactor.terminal.screen.ServerScreen}, which the log and the
    console share.
    """
    screen = inFrontOfStdout(Terminal.interactive)
    Operator(server, reactor, screen=screen).setServiceParent(server)
    return server
