# -*- test-case-name: tests.test_packaging -*-
"""
tpreactor: a Twisted line server that tells each client how long it has been
connected, served with real or apparent concurrency.
"""

__version__ = "0.1.0"
