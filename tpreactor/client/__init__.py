# -*- test-case-name: tests.test_client_cli -*-
"""
tpreactor-client, the bundled client: C{main} is its console script.

One module per job: L{cli} the command line, L{connect} where it connects,
L{session} the conversation, L{wire} the server's lines, L{terminal} the
user's terminal.
"""

from .cli import main

__all__ = ["main"]
