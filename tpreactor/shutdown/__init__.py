# -*- test-case-name: tests.test_graceful,tests.test_listening,tests.test_openfiles,tests.test_operator,tests.test_terminal -*-
"""
How the server ends, one module per job: the graceful stop
(L{tpreactor.shutdown.graceful}), the listening sockets and the kernel's
queue behind them (L{tpreactor.shutdown.listening}), the operator's signals
and Ctrl+C question (L{tpreactor.shutdown.operator}), the terminal and the
exit status (L{tpreactor.shutdown.terminal}), and the open-file limit that
bounds how many clients there can be (L{tpreactor.shutdown.openfiles}).
"""

from .graceful import GracefulStop
from .listening import Listeners, ListeningService
from .openfiles import defaultMaxConnections
from .operator import Operator, descendants, withOperator
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
