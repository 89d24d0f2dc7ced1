# -*- test-case-name: tests.test_status_site -*-
"""
The status endpoint's HTTP connections, as guests of the line service: few
of them (a cap of their own, within the same open-file budget as the
clients), short-lived when slow (headers late, a keep-alive idle, a
response nobody reads), one response at a time each, and no request body
beyond a few KiB: whatever reaches the status port costs the line service
a bounded, small amount.
"""

from twisted.web.http import HTTPChannel
from twisted.web.server import Site

SECONDS = 1.0
#: A request's headers must be whole this long after its first byte.
HEADERS_SECONDS = 5.0 * SECONDS
#: A keep-alive connection with no request this long is closed (a browser
#: that polls every second keeps it).
IDLE_SECONDS = 10.0 * SECONDS
#: A response the client has not taken this long after it was finished
#: (it does not read) cuts the connection.
DRAIN_SECONDS = 10.0 * SECONDS
#: Most status connections open at once (C{--status-max-connections}).
DEFAULT_MAX_CONNECTIONS = 64
#: The largest request body read (in memory); a larger one is refused
#: before it is read.
MAX_BODY_BYTES = 4096
#: The methods the endpoint answers (it only shows).
READ_METHODS = (b"GET", b"HEAD")
#: The Allow header of a 405.
ALLOW = b", ".join(READ_METHODS)

_REASONS = {405: b"Method Not Allowed", 413: b"Content Too Large"}


def bodyRefusal(method, length):
    """
    The status code that refuses a request of C{method} whose body is
    C{length} bytes (C{None}: chunked, of unknown length) before its body
    is read, or C{None} when it may be read: 405 for a body on a method the
    endpoint does not answer, 413 for one larger than L{MAX_BODY_BYTES}.
    """
    if length == 0:
        return None
    if method not in READ_METHODS:
        return 405
    if length is None or length > MAX_BODY_BYTES:
        return 413
    return None


def refusalResponse(code):
    """
    The whole response, bytes on the wire, for a refusal before the body.
    """
    body = b"%d %s\n" % (code, _REASONS[code])
    allow = b"Allow: " + ALLOW + b"\r\n" if code == 405 else b""
    return (b"HTTP/1.1 %d %s\r\n%sContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s") % (code, _REASONS[code], allow, len(body), body)


class GuestChannel(HTTPChannel):
    """
    An HTTP/1.1 connection to the status endpoint.

    Twisted answers pipelined requests one after another as soon as each
    response is written, read or not, so a client that sends many and
    reads none makes the server hold all their responses. Here the next
    request waits while the transport holds more than its buffer's worth
    (64 KiB) unsent: the transport pauses this channel, its producer, then
    and resumes it once all is sent. So a connection holds at most that
    and one response, and a client that reads nothing holds it for at most
    L{DRAIN_SECONDS}: then the connection is cut. Headers not whole within
    L{HEADERS_SECONDS} of their first byte close it too, and so does a
    keep-alive idle for L{IDLE_SECONDS} (Twisted's own timeout, without
    its log line).
    """

    _deadline = None
    _answered = None
    _sending = False
    _method = None
    _headersDone = False
    _refused = False

    def dataReceived(self, data):
        if self._refused:
            return
        if self._deadline is None and not self._headersDone:
            self._deadline = self.callLater(self.site.headersSeconds, self.loseConnection)
        HTTPChannel.dataReceived(self, data)

    def lineReceived(self, line):
        if self._refused:
            return
        if self._method is None and line:
            self._method = line.split(b" ", 1)[0]
        HTTPChannel.lineReceived(self, line)

    def rawDataReceived(self, data):
        if not self._refused:
            HTTPChannel.rawDataReceived(self, data)

    def allHeadersReceived(self):
        self._headersDone = True
        self._cancelDeadline()
        code = bodyRefusal(self._method, self.length)
        if code is None:
            HTTPChannel.allHeadersReceived(self)
            return
        # Refused before its body is read: nothing of it is kept.
        self._refused = True
        self.transport.write(refusalResponse(code))
        self.loseConnection()

    def requestDone(self, request):
        if not self._sending:
            self._next(request)
            return
        self._answered = request
        self._deadline = self.callLater(self.site.drainSeconds, self._cut)

    def _next(self, request):
        """
        The response to C{request} is sent: read the next request.
        """
        self._cancelDeadline()
        self._method = None
        self._headersDone = False
        HTTPChannel.requestDone(self, request)

    def pauseProducing(self):
        self._sending = True
        HTTPChannel.pauseProducing(self)

    def resumeProducing(self):
        self._sending = False
        HTTPChannel.resumeProducing(self)
        answered, self._answered = self._answered, None
        if answered is not None:
            self._next(answered)

    def timeoutConnection(self):
        # Idle between requests: nothing to send, nothing to say.
        self.loseConnection()

    def _cut(self):
        self._deadline = None
        self.transport.abortConnection()

    def _cancelDeadline(self):
        if self._deadline is not None:
            if self._deadline.active():
                self._deadline.cancel()
            self._deadline = None

    def connectionLost(self, reason):
        self._cancelDeadline()
        HTTPChannel.connectionLost(self, reason)
        self.site.guestLeft()


class GuestSite(Site):
    """
    The status endpoint's site: at most C{maxConnections} connections, each
    a L{GuestChannel}, each also counted in the line service's open-file
    budget (C{accepting}, a L{tpreactor.accepting.Accepting}, or C{None}
    where the process serves no clients); one that finds no room is closed
    as it is accepted. Quiet: no line per request, at start or at stop.

    @ivar open: the status connections open now.
    """

    protocol = GuestChannel
    noisy = False
    displayTracebacks = False
    headersSeconds = HEADERS_SECONDS
    drainSeconds = DRAIN_SECONDS

    def __init__(self, resource, reactor, accepting=None, maxConnections=DEFAULT_MAX_CONNECTIONS,
                 idleSeconds=IDLE_SECONDS):
        Site.__init__(self, resource, timeout=idleSeconds, reactor=reactor)
        self.accepting = accepting
        self.maxConnections = maxConnections
        self.open = 0

    def buildProtocol(self, addr):
        if self.open >= self.maxConnections:
            return None
        if self.accepting is not None and not self.accepting.admitGuest():
            return None
        self.open += 1
        return Site.buildProtocol(self, addr)

    def guestLeft(self):
        """
        A status connection closed: its descriptor is free again.
        """
        self.open -= 1
        if self.accepting is not None:
            self.accepting.guestLeft()

    def startFactory(self):
        # No access log: no clock to keep its time stamps fresh.
        pass

    def stopFactory(self):
        pass

    def log(self, request):
        pass
