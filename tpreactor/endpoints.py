# -*- test-case-name: tests.test_endpoints -*-
"""
Endpoint strings as the operator writes them, checked before anything
listens, with our backlog applied where the string sets none.
"""

from twisted.internet.endpoints import serverFromString

#: Endpoint types whose listen takes a C{backlog=} argument.
_BACKLOG_TYPES = ("tcp", "tcp6", "ssl", "unix")


def withBacklog(description, backlog):
    """
    C{description} with C{:backlog=<backlog>} added when its type takes one
    and it sets none (a C{haproxy:} prefix is looked through).
    """
    inner = description
    if inner.startswith("haproxy:"):
        inner = inner[len("haproxy:"):]
    kind = inner.split(":", 1)[0]
    if kind not in _BACKLOG_TYPES or "backlog=" in inner:
        return description
    return f"{description}:backlog={backlog}"


def parseEndpoint(reactor, description):
    """
    The server endpoint for C{description}, or L{ValueError} with one line
    saying what is wrong with it.
    """
    try:
        return serverFromString(reactor, description)
    except ImportError as e:
        raise ValueError(
            f"endpoint {description!r} needs a package that is not installed ({e.name}); "
            "for ssl: install tpreactor[tls]"
        ) from None
    except (ValueError, TypeError, KeyError, IndexError) as e:
        detail = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise ValueError(f"bad endpoint {description!r}: {detail}") from None
