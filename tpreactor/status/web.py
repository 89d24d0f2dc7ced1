# -*- test-case-name: tests.test_status_web,tests.test_workers_status -*-
"""
The status endpoint's resources over twisted.web: the page and its script
and style, /status.json, /metrics and /healthz; read-only (GET and HEAD).
The snapshot is read per request, at once or (gathered from workers) as a
Deferred.
"""

import json

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.web.pages import notFound
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

from .metrics import CONTENT_TYPE_LATEST, exposition, metricsRegistry
from .page import CSS, SCRIPT, renderPage

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
        if request.method not in (b"GET", b"HEAD"):
            request.setResponseCode(405)
            request.setHeader(b"allow", b"GET, HEAD")
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


class StatusRoot(Resource):
    """
    Every path of the status endpoint; each response says what it is and
    that it must not be sniffed or framed.
    """

    def getChildWithDefault(self, path, request):
        request.setHeader(b"x-content-type-options", b"nosniff")
        request.setHeader(b"referrer-policy", b"no-referrer")
        request.setHeader(b"content-security-policy", POLICY)
        return Resource.getChildWithDefault(self, path, request)

    def getChild(self, path, request):
        return notFound()


def statusResource(read, healthy, catalogue):
    """
    The root resource: C{read()} gives the snapshot, C{healthy()} whether
    the server still serves, C{catalogue} the page's language.
    """
    root = StatusRoot()
    root.putChild(b"", Fixed(renderPage(catalogue), b"text/html; charset=utf-8"))
    root.putChild(b"page.js", Fixed(SCRIPT.encode("utf-8"), b"text/javascript; charset=utf-8"))
    root.putChild(b"page.css", Fixed(CSS.encode("utf-8"), b"text/css; charset=utf-8"))
    root.putChild(
        b"status.json",
        Computed(lambda request: then(read(), asJson), b"application/json"),
    )
    root.putChild(b"metrics", Computed(lambda request: then(read(), asMetrics), CONTENT_TYPE_LATEST.encode()))

    def health(request):
        if healthy():
            return b"serving\n"
        request.setResponseCode(503)
        return b"stopping\n"

    root.putChild(b"healthz", Computed(health, b"text/plain; charset=utf-8"))
    return root


def asJson(state):
    """
    The body of /status.json for the snapshot C{state}.
    """
    return json.dumps(state, ensure_ascii=False).encode("utf-8")


def asMetrics(state):
    """
    The body of /metrics for the snapshot C{state}.
    """
    return exposition(metricsRegistry(lambda: state))


class QuietSite(Site):
    """
    A site that keeps the operator's console for the clients: no line per
    request, none at start or stop.
    """

    noisy = False
    displayTracebacks = False

    def log(self, request):
        pass
