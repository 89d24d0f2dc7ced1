# -*- test-case-name: tests.test_client_session -*-
"""
The client's side of the wire: the connection that splits and decodes the
server's lines, the line that ends a session, and which server lines mean
the end (the goodbye, or a close on the server's own account), in every
language the server speaks.
"""

from twisted.protocols.basic import LineReceiver

from ..messages import LANGUAGES, catalogue

#: What the client sends to end a session, whatever word the user typed:
#: every server language accepts it.
QUIT_LINE = b"salir\n"


def _head(template):
    """
    The fixed start of a catalogue text, up to its first field.
    """
    return template.split("{", 1)[0]


_CATALOGUES = [catalogue(lang) for lang in LANGUAGES]
_GOODBYES = tuple(_head(cat.goodbye) for cat in _CATALOGUES)
_CLOSINGS = tuple(
    _head(text)
    for cat in _CATALOGUES
    for text in (cat.closedByServer, cat.idle, cat.full, cat.tooLong)
)


def isGoodbye(text):
    """
    Whether C{text} is the server's answer to C{salir}, in any language.
    """
    return text.startswith(_GOODBYES)


def isClosing(text):
    """
    Whether C{text} is a line the server sends just before it closes the
    connection on its own (shutdown, inactivity, full, too long).
    """
    return text.startswith(_CLOSINGS)


class ServerProtocol(LineReceiver):
    """
    The connection to the server: splits what it sends into lines (C{\\n} or
    C{\\r\\n}), decodes them as UTF-8 with replacement, and hands them to
    the L{tpreactor.client.session.Session}.

    @ivar session: the L{tpreactor.client.session.Session} this connection serves.
    """

    delimiter = b"\n"
    MAX_LENGTH = 64 * 1024

    def __init__(self, session):
        self.session = session

    def connectionMade(self):
        self.session.connected(self.transport)

    def lineReceived(self, line):
        self.session.serverLine(line.rstrip(b"\r").decode("utf-8", "replace"))

    def connectionLost(self, reason):
        rest = self.clearLineBuffer().rstrip(b"\r")
        if rest:
            self.session.serverLine(rest.decode("utf-8", "replace"))
        self.session.serverGone(reason)
