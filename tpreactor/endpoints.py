# -*- test-case-name: tests.test_endpoints -*-
"""
Endpoint strings as the operator writes them, checked before anything
listens, with our backlog applied where the string sets none.
"""

import errno

from twisted.internet.endpoints import serverFromString

from .messages import catalogue
from .proxy import PREFIX, ProxiedEndpoint

#: Endpoint types whose listen takes a C{backlog=} argument.
_BACKLOG_TYPES = ("tcp", "tcp6", "ssl", "unix")


def withBacklog(description, backlog):
    """
    C{description} with C{:backlog=<backlog>} added when its type takes one
    and it sets none (a C{haproxy:} prefix is looked through).
    """
    inner = description
    if inner.startswith(PREFIX):
        inner = inner[len(PREFIX):]
    kind = inner.split(":", 1)[0]
    if kind not in _BACKLOG_TYPES or "backlog=" in inner:
        return description
    return f"{description}:backlog={backlog}"


def parseEndpoint(reactor, description, lang="en"):
    """
    The server endpoint for C{description}, or L{ValueError} with one line
    saying what is wrong with it, in C{lang}. A C{haproxy:} endpoint reads
    the PROXY header our way (L{tpreactor.proxy}), not Twisted's.
    """
    cat = catalogue(lang)
    proxied = description.startswith(PREFIX)
    try:
        endpoint = serverFromString(reactor, description[len(PREFIX):] if proxied else description)
    except ImportError as e:
        raise ValueError(cat.endpointNeedsPackage.format(description=repr(description), package=e.name)) from None
    except Exception as e:  # a parser's error, a key file missing or not PEM: all bad input
        raise ValueError(cat.badEndpoint.format(description=repr(description), reason=describeParseError(e, lang))) from None
    # A TCP port out of range would fail only once the server starts.
    port = getattr(endpoint, "_port", None)
    if isinstance(port, int) and not 0 <= port <= 65535:
        raise ValueError(cat.badEndpoint.format(description=repr(description), reason=cat.portRange))
    return ProxiedEndpoint(endpoint) if proxied else endpoint


def describeOSError(exc, lang="en"):
    """
    The system's reason for C{exc} (an L{OSError}) in C{lang}: the
    catalogue's words for its errno where it has them, else C{strerror}.
    """
    name = errno.errorcode.get(exc.errno)
    return catalogue(lang).osErrors.get(name, exc.strerror)


def describeParseError(exc, lang="en"):
    """
    Why an endpoint string could not be used, in one line: the message of
    C{exc}, the file name of an C{OSError}, or the reasons of an OpenSSL
    error (whose message is a list of tuples).
    """
    if isinstance(exc, OSError) and exc.strerror:
        reason = describeOSError(exc, lang)
        return f"{exc.filename}: {reason}" if exc.filename else reason
    reasons = exc.args[0] if exc.args and isinstance(exc.args[0], list) else None
    if reasons and all(isinstance(r, tuple) and r for r in reasons):
        return "; ".join(str(r[-1]) for r in reasons) + catalogue(lang).pemHint
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
