# -*- test-case-name: tests.test_client_connect -*-
"""
Where the client connects: the endpoint for C{HOST PORT} or C{--connect},
how that place is named to the user, and what each failure to connect means.
"""

import errno
from dataclasses import dataclass
from typing import Optional

from twisted.internet import defer, error
from twisted.internet.endpoints import HostnameEndpoint, TCP6ClientEndpoint, clientFromString

from ..endpoints import describeParseError
from ..messages import catalogue

#: Exit statuses for a connection that could not be made.
REFUSED, UNKNOWN_HOST, TIMED_OUT, CANNOT_CONNECT = 3, 4, 5, 6

#: The fields a positional endpoint argument fills, in order, per type.
_POSITIONAL = {
    "tcp": ("host", "port"),
    "tcp6": ("host", "port"),
    "tls": ("host", "port"),
    "ssl": ("host", "port"),
    "unix": ("path",),
}


@dataclass(frozen=True)
class Target:
    """
    A place to connect to.

    @ivar endpoint: the C{IStreamClientEndpoint}.
    @ivar host: the host as the user wrote it (a path for a unix socket, the
        whole description for an endpoint type we cannot read).
    @ivar port: the port, or C{None} when there is none to show.
    """

    endpoint: object
    host: str
    port: Optional[str]


def hostTarget(reactor, host, port, timeout):
    """
    The L{Target} for C{HOST PORT}: a name or an address, IPv4 or IPv6.
    """
    return Target(HostnameEndpoint(reactor, host, port, timeout=timeout), host, str(port))


def endpointTarget(reactor, description, lang="en"):
    """
    The L{Target} for a Twisted client endpoint string, or L{ValueError}
    with one line saying what is wrong with it.

    C{tcp6:HOST:PORT[:timeout=SECONDS]} is read here: Twisted's
    C{clientFromString} has no C{tcp6} type (it has C{tcp}, C{ssl}, C{unix}
    and, as a plugin, C{tls}). The line is in C{lang}.
    """
    cat = catalogue(lang)
    try:
        if splitDescription(description)[0] == "tcp6":
            endpoint = _tcp6(reactor, description, cat)
        else:
            endpoint = clientFromString(reactor, description)
    except ImportError as e:
        raise ValueError(cat.clientNeedsPackage.format(description=repr(description), package=e.name)) from None
    except Exception as e:  # a parser's error, trust roots missing or not PEM: all bad input
        reason = describeParseError(e, lang)
        raise ValueError(cat.badEndpoint.format(description=repr(description), reason=reason)) from None
    host, port = describe(description)
    return Target(endpoint, host, port)


def _tcp6(reactor, description, cat):
    kind, keywords = _fields(description)
    host, port = keywords.pop("host"), keywords.pop("port")
    timeout = float(keywords.pop("timeout", 30))
    if host is None or port is None or keywords:
        raise ValueError(cat.clientTcp6)
    return TCP6ClientEndpoint(reactor, host, int(port), timeout=timeout)


def splitDescription(description):
    """
    The colon-separated fields of an endpoint string, backslash escapes
    undone (C{tcp6:\\:\\:1:6667} is C{["tcp6", "::1", "6667"]}).
    """
    fields, current, escaped = [], [], False
    for ch in description:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return fields


def _fields(description):
    """
    C{(type, keywords)} of an endpoint string, positional arguments named
    (C{None} for the names it leaves out).
    """
    kind, *args = splitDescription(description)
    keywords = dict(arg.split("=", 1) for arg in args if "=" in arg)
    positional = iter(arg for arg in args if "=" not in arg)
    for name in _POSITIONAL.get(kind, ()):
        if name not in keywords:
            keywords[name] = next(positional, None)
    return kind, keywords


def describe(description):
    """
    C{(host, port)} to show for an endpoint string; C{port} is C{None} for a
    unix socket (the host is its path) and for types we cannot read.
    """
    kind, keywords = _fields(description)
    if kind not in _POSITIONAL:
        return description, None
    if kind == "unix":
        return keywords["path"] or description, None
    if keywords["host"] is None or keywords["port"] is None:
        return description, None
    return keywords["host"], keywords["port"]


def explain(failure, texts, timeout):
    """
    What a failure to connect means for the user.

    @param failure: the L{Failure} from connecting.
    @param texts: the client's texts, for the words of the explanation.
    @param timeout: the connect timeout in seconds, to name it.
    @return: C{(exit status, reason)}, the reason in C{texts}' language.
    """
    if failure.check(error.ConnectionRefusedError):
        return REFUSED, texts.refused
    if failure.check(error.ConnectError) and failure.value.osError == errno.ENOENT:
        return REFUSED, texts.noSocket
    if failure.check(error.DNSLookupError, error.UnknownHostError):
        return UNKNOWN_HOST, texts.unknownHost
    if failure.check(defer.TimeoutError, error.TimeoutError, error.TCPTimedOutError):
        return TIMED_OUT, texts.timedOut.format(seconds=timeout)
    detail = str(failure.value).strip() or failure.type.__name__
    return CANNOT_CONNECT, detail.rstrip(".")
