# -*- test-case-name: tests.test_status_web,tests.test_workers_model -*-
"""
The status endpoint's resources over twisted.web: the page and its script
and style, /status.json, /metrics and /healthz; read-only (GET and HEAD).
The snapshot comes from a cache shared by every request, at once or (being
gathered from workers) as a Deferred.
"""

import json
from dataclasses import replace

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.web.pages import notFound
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from .hosts import AllowedHosts
from .metrics import CONTENT_TYPE_LATEST, exposition, metricsRegistry
from .page import CSS, SCRIPT, renderPage
from .site import ALLOW, READ_METHODS
from .timeline import timelineData
from .timelinepage import CSS as TIMELINE_CSS
from .timelinepage import timelineScript

log = Logger(namespace="tpreactor")

#: The page only loads its own script, style and data: even text that got
#: in as markup could run nothing.
POLICY = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    b"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ReadOnly(Resource):
    """
    GET and HEAD only (anything else is 405); HEAD sends GET's headers.
    """

    isLeaf = True

    def render(self, request):
        if request.method not in READ_METHODS:
            request.setResponseCode(405)
            request.setHeader(b"allow", ALLOW)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"Method Not Allowed\n"
        return Resource.render(self, request)

    def render_HEAD(self, request):
        body = self.render_GET(request)
        if body is NOT_DONE_YET:
            return body
        request.setHeader(b"content-length", b"%d" % (len(body),))
        return b""


class Fixed(ReadOnly):
    """
    A body made once, served as it is.
    """

    def __init__(self, body, contentType):
        Resource.__init__(self)
        self.body = body
        self.contentType = contentType

    def render_GET(self, request):
        request.setHeader(b"content-type", self.contentType)
        return self.body


def then(value, use):
    """
    C{use(value)}, or once C{value} is there if it is a Deferred.
    """
    if isinstance(value, Deferred):
        return value.addCallback(use)
    return use(value)


class Computed(ReadOnly):
    """
    A body made per request by C{render(request)} (bytes, or a Deferred of
    them), never cached.
    """

    def __init__(self, render, contentType):
        Resource.__init__(self)
        self.render_ = render
        self.contentType = contentType

    def render_GET(self, request):
        request.setHeader(b"content-type", self.contentType)
        request.setHeader(b"cache-control", b"no-store")
        body = self.render_(request)
        if not isinstance(body, Deferred):
            return body
        gone = []
        request.notifyFinish().addErrback(gone.append)
        body.addCallbacks(self._send, self._failed, callbackArgs=(request, gone), errbackArgs=(request, gone))
        return NOT_DONE_YET

    def _send(self, body, request, gone):
        if not gone:
            # Twisted writes no body for HEAD; the length is GET's.
            request.setHeader(b"content-length", b"%d" % (len(body),))
            request.write(body)
            request.finish()

    def _failed(self, failure, request, gone):
        log.failure("status endpoint", failure)
        if not gone:
            request.setResponseCode(500)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            request.write(b"Internal Server Error\n")
            request.finish()


class Misdirected(Resource):
    """
    421 for a request whose C{Host} this endpoint does not answer: no
    server data, whatever the path.
    """

    isLeaf = True

    def render(self, request):
        request.setResponseCode(421)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return b"Misdirected Request\n"


class StatusRoot(Resource):
    """
    Every path of the status endpoint: each response says what it is and
    that it must not be sniffed or framed; a foreign C{Host} gets
    L{Misdirected}; C{/healthz} is open to anyone who reaches it (a
    balancer's check needs no secret); the rest is C{protected}'s (behind
    C{--status-auth} when it is given).
    """

    def __init__(self, protected, health, hosts):
        Resource.__init__(self)
        self.protected = protected
        self.health = health
        self.hosts = hosts

    def getChildWithDefault(self, path, request):
        request.setHeader(b"x-content-type-options", b"nosniff")
        request.setHeader(b"referrer-policy", b"no-referrer")
        request.setHeader(b"content-security-policy", POLICY)
        if not self.hosts.allows(request.getHeader(b"host"), request.getHost()):
            return Misdirected()
        if path == b"healthz":
            return self.health
        return self.protected.getChildWithDefault(path, request)


class Shows(Resource):
    """
    What the status shows (the page, its script and style, the JSON, the
    metrics); any other path is not found.
    """

    def getChild(self, path, request):
        return notFound()


def statusResource(cache, healthy, catalogue, hosts=None, guard=None):
    """
    The root resource: C{cache} (a L{tpreactor.status.cache.SnapshotCache}
    whose renderers are L{RENDERERS}) gives the snapshot and its bodies,
    C{healthy()} whether the server still serves, C{catalogue} the page's
    language, C{hosts} the L{AllowedHosts} (by default the address reached
    and loopback names), C{guard} the L{tpreactor.status.auth.Guard} of
    C{--status-auth}, if any.
    """
    shows = Shows()
    shows.putChild(b"", Fixed(renderPage(catalogue), b"text/html; charset=utf-8"))
    shows.putChild(b"page.js", Fixed(SCRIPT.encode("utf-8"), b"text/javascript; charset=utf-8"))
    shows.putChild(b"page.css", Fixed((CSS + TIMELINE_CSS).encode("utf-8"), b"text/css; charset=utf-8"))
    shows.putChild(b"timeline.js", Fixed(timelineScript().encode("utf-8"), b"text/javascript; charset=utf-8"))
    for name, kind, contentType in ((b"status.json", "json", b"application/json"),
                                    (b"timeline.json", "timeline", b"application/json"),
                                    (b"metrics", "metrics", CONTENT_TYPE_LATEST.encode())):
        shows.putChild(name, Computed(lambda request, kind=kind: then(cache.get(), lambda s: s.body(kind)), contentType))

    def health(request):
        if healthy():
            return b"serving\n"
        request.setResponseCode(503)
        return b"stopping\n"

    protected = shows if guard is None else guard.protect(shows)
    return StatusRoot(protected, Computed(health, b"text/plain; charset=utf-8"), hosts or AllowedHosts())


def asJson(state):
    """
    The body of /status.json for the server's C{state} (a
    L{tpreactor.model.ServerState}).
    """
    data = replace(state, timeline=None).asData()  # not copied only to be dropped
    del data["timeline"]  # /timeline.json's
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def asTimeline(state):
    """
    The body of /timeline.json for the server's C{state}.
    """
    return json.dumps(timelineData(state), ensure_ascii=False).encode("utf-8")


def asMetrics(state):
    """
    The body of /metrics for the server's C{state}.
    """
    return exposition(metricsRegistry(lambda: state))


#: The bodies a snapshot is shown as (see L{tpreactor.status.cache.Shown}).
RENDERERS = {"json": asJson, "metrics": asMetrics, "timeline": asTimeline}
