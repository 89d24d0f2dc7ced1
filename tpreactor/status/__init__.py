# -*- test-case-name: tests.test_status_web -*-
"""
The status endpoint (C{--status}): a live page, /status.json, /metrics and
/healthz, served by twisted.web in the server's reactor, as a guest of the
line service.

One job per module: L{latency} (the per-second latency bins),
L{recorder} (the hooks the connections call while it is on),
L{timeline} (who was served when, bounded), L{cache} (one state of the
server per interval for every request), L{metrics} (Prometheus text),
L{page} and L{timelinepage} (the HTML and its scripts), L{web} (the
resources), L{hosts} (the
C{Host} values answered), L{auth} (C{--status-auth}), L{site} (the HTTP
connections and their bounds), L{options} (the command line) and
L{service} (the child service that listens). Importing this package
imports none of them: with C{--status} off, twisted.web and
prometheus_client are never loaded.
"""

from dataclasses import dataclass, field
from typing import Optional

#: The interface a status endpoint given as a bare port listens on.
LOOPBACK = "127.0.0.1"
#: The permissions of a unix status socket whose endpoint sets none: the
#: server's user only (the clients' addresses and messages are on it).
UNIX_MODE = "600"


@dataclass(frozen=True)
class StatusConfig:
    """
    The status endpoint as the operator asked for it.

    @ivar description: its endpoint string (see L{statusEndpoint}).
    @ivar maxConnections: most HTTP connections at once.
    @ivar hosts: the names it answers besides its own address.
    @ivar passwords: C{{user: bcrypt hash}} from C{--status-auth}, or
        C{None}: no credentials asked.
    """

    description: str
    maxConnections: int
    hosts: tuple = ()
    passwords: Optional[dict] = field(default=None, compare=False)


def statusEndpoint(value):
    """
    The endpoint string for C{--status VALUE}: a bare port number means
    that port on loopback; a unix socket is its owner's only unless the
    string gives a C{mode}; anything else is an endpoint string as it is.
    """
    value = value.strip()
    if value.isdigit():
        return f"tcp:{int(value)}:interface={LOOPBACK}"
    if value.startswith("unix:") and not any(p.startswith("mode=") for p in value.split(":")[1:]):
        return f"{value}:mode={UNIX_MODE}"
    return value


def addStatus(server, config, endpoint):
    """
    Give C{server} a status endpoint on C{endpoint}, as C{config} asks, as
    its child service; return that service.
    """
    from .service import StatusService

    service = StatusService(config, endpoint, server)
    service.setServiceParent(server)
    return service
