# -*- test-case-name: tests.test_graceful,tests.test_listening,tests.test_openfiles,tests.test_operator,tests.test_terminal -*-
"""
How the server ends, one module per job: the graceful stop
(L{tpreactor.shutdown.graceful}), the listening sockets and the kernel's
queue behind them (L{tpreactor.shutdown.listening}), the operator's signals
and Ctrl+C question (L{tpreactor.shutdown.operator}), the terminal and the
exit status (L{tpreactor.shutdown.terminal}), the worker processes option 3
ends first (L{tpreactor.shutdown.processtree}), and the open-file limit that
bounds how many clients there can be (L{tpreactor.shutdown.openfiles});
L{withOperator} puts the operator in front of a server.
"""

from ..screen import inFrontOfStdout
from .graceful import GracefulStop
from .listening import Listeners, ListeningService
from .openfiles import defaultMaxConnections
from .operator import Operator, descendants
from .terminal import ExitStatus, Terminal

__all__ = [
    "GracefulStop",
    "Listeners",
    "ListeningService",
    "defaultMaxConnections",
    "Operator",
    "descendants",
    "withOperator",
    "ExitStatus",
    "Terminal",
]


def withOperator(server, reactor):
    """
    C{server} with an L{Operator} as its child: what twistd runs.

    When an operator sits at the terminal, its output goes through a
    L{tpreactor.screen.Screen}, which the log and the console share.
    """
    screen = inFrontOfStdout(Terminal.interactive)
    Operator(server, reactor, screen=screen).setServiceParent(server)
    return server
