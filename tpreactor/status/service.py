# -*- test-case-name: tests.test_status_web -*-
"""
The status endpoint as a child service of the server: it records what the
connections do, listens on its endpoint in the server's reactor, and says
where at start.
"""

from twisted.application.service import Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.logger import Logger
from twisted.python.failure import Failure

from ..peers import describeListening
from ..shutdown.listening import explainListenError
from .recorder import Recorder
from .snapshot import snapshot
from .web import QuietSite, statusResource

log = Logger(namespace="tpreactor")


def urlOf(description, address):
    """
    Where to point a browser for a status endpoint listening at C{address}.
    """
    if isinstance(address, (IPv4Address, IPv6Address)):
        scheme = "https" if description.startswith("ssl:") else "http"
        return f"{scheme}://{describeListening(address)}/"
    return describeListening(address)


class StatusService(Service):
    """
    Serves the status of C{server} (a L{tpreactor.service.TimeServer}) on
    C{endpoint}, from the moment it is made: the L{Recorder} goes into the
    server's factory at once, before any client comes.

    @ivar recorder: the L{Recorder}.
    @ivar port: the listening port once started, else C{None}.
    """

    name = "status"

    def __init__(self, description, endpoint, server, modeName):
        self.description = description
        self.endpoint = endpoint
        self.server = server
        self.modeName = modeName
        self.recorder = Recorder(server.factory.monotonic)
        self.recorder.install(server.factory)
        self.port = None

    def snapshot(self):
        """
        This process's state (see L{tpreactor.status.snapshot}).
        """
        return snapshot(self.server, self.recorder, self.modeName)

    def healthy(self):
        """
        Whether the server serves: no stop has begun, and it still listens.
        """
        return bool(self.server.listening and not self.server.stopping)

    def privilegedStartService(self):
        Service.privilegedStartService(self)
        catalogue = self.server.factory.catalogue
        site = QuietSite(statusResource(self.snapshot, self.healthy, catalogue))
        outcome = []
        self.endpoint.listen(site).addBoth(outcome.append)
        if not outcome or isinstance(outcome[0], Failure):
            reason = explainListenError(outcome[0].value, catalogue.lang) if outcome else catalogue.noAnswer
            raise SystemExit(catalogue.cannotListen.format(description=f"--status {self.description}", reason=reason))
        self.port = outcome[0]
        log.info(catalogue.statusListening, url=urlOf(self.description, self.port.getHost()))

    def stopService(self):
        Service.stopService(self)
        port, self.port = self.port, None
        return None if port is None else port.stopListening()
