# -*- test-case-name: tests.test_status_web -*-
"""
The status endpoint (C{--status}): a live page, /status.json, /metrics and
/healthz, served by twisted.web in the server's reactor.

One job per module: L{latency} (the per-second latency bins),
L{recorder} (the hooks the connections call while it is on), L{snapshot}
(one process's state as a dict, and the merge of several), L{metrics}
(Prometheus text), L{page} (the HTML and its script), L{web} (the
resources) and L{service} (the child service that listens). Importing this
package imports none of them: with C{--status} off, twisted.web and
prometheus_client are never loaded.
"""

#: The interface a status endpoint given as a bare port listens on.
LOOPBACK = "127.0.0.1"


def statusEndpoint(value):
    """
    The endpoint string for C{--status VALUE}: a bare port number means
    that port on loopback; anything else is an endpoint string as it is.
    """
    value = value.strip()
    if value.isdigit():
        return f"tcp:{int(value)}:interface={LOOPBACK}"
    return value


def addStatus(server, description, endpoint, modeName):
    """
    Give C{server} a status endpoint on C{endpoint} (from C{description}),
    as its child service; return that service.
    """
    from .service import StatusService

    service = StatusService(description, endpoint, server, modeName)
    service.setServiceParent(server)
    return service
