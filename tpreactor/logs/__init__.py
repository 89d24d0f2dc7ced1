# -*- test-case-name: tests.test_logs_console,tests.test_logs_twistd,tests.test_logs_events -*-
"""
The server's console lines: the cheap logger of the lines about each
connection (L{tpreactor.logs.events}), the observer that writes them as
twistd's does for a fraction of the cost (L{tpreactor.logs.console}), and
that observer as twistd's default (L{tpreactor.logs.twistd}).
"""
