# -*- test-case-name: tests.test_graceful,tests.test_terminal_operator -*-
"""
How the server stops: the graceful stop in order, bounded by the grace
period (L{tpreactor.shutdown.graceful}), and the processes the work
started, which option 3 ends first (L{tpreactor.shutdown.processtree}).
"""

from .graceful import GracefulStop
from .processtree import descendants

__all__ = ["GracefulStop", "descendants"]
