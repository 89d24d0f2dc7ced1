# -*- test-case-name: tests.test_status_web,tests.test_e2e_status -*-
"""
The status endpoint as a child service of the server: it records what the
connections do, listens on its endpoint in the server's reactor (before
the server says it listens: a status endpoint that cannot listen ends the
start), and says where, and whether anyone beyond this machine can see it.
"""

from twisted.application.service import Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.logger import Logger
from twisted.python.failure import Failure

from ..peers import describeListening
from ..listening import explainListenError
from .cache import SnapshotCache
from .hosts import AllowedHosts, isLoopback
from .site import GuestSite
from .web import RENDERERS, statusResource

log = Logger(namespace="tpreactor")


def urlOf(description, address):
    """
    Where to point a browser for a status endpoint listening at C{address}.
    """
    if isinstance(address, (IPv4Address, IPv6Address)):
        scheme = "https" if description.startswith("ssl:") else "http"
        return f"{scheme}://{describeListening(address)}/"
    return describeListening(address)


def exposed(address):
    """
    Whether a status endpoint listening at C{address} can be reached from
    beyond this machine (a unix socket cannot).
    """
    return isinstance(address, (IPv4Address, IPv6Address)) and not isLoopback(address.host)


class StatusService(Service):
    """
    Serves the state of C{server} (an L{tpreactor.model.IServerModel}) on
    C{endpoint}, as C{config} (a L{tpreactor.status.StatusConfig}) asks,
    recording from the moment it is made, before any client comes.

    @ivar cache: the L{SnapshotCache} every request reads.
    @ivar port: the listening port once started, else C{None}.
    """

    name = "status"

    def __init__(self, config, endpoint, server):
        self.config = config
        self.description = config.description
        self.endpoint = endpoint
        self.server = server
        self.reactor = server.reactor
        server.startRecording()
        self.cache = SnapshotCache(server.state, self.reactor.seconds, RENDERERS)
        self.guard = None
        if config.passwords is not None:
            from .auth import Guard

            self.guard = Guard(config.passwords, self.reactor)
        self.port = None

    def healthy(self):
        """
        Whether the server serves (see L{tpreactor.model.IServerModel}).
        """
        return bool(self.server.serving)

    def site(self):
        """
        The site that serves the status, a guest of the line service.
        """
        catalogue = self.server.factory.catalogue
        resource = statusResource(self.cache, self.healthy, catalogue, AllowedHosts(self.config.hosts), self.guard)
        accepting = getattr(self.server.factory, "accepting", None)
        return GuestSite(resource, self.reactor, accepting, self.config.maxConnections)

    def privilegedStartService(self):
        Service.privilegedStartService(self)
        catalogue = self.server.factory.catalogue
        outcome = []
        self.endpoint.listen(self.site()).addBoth(outcome.append)
        if not outcome or isinstance(outcome[0], Failure):
            reason = explainListenError(outcome[0].value, catalogue.lang) if outcome else catalogue.noAnswer
            raise SystemExit(catalogue.cannotListen.format(description=f"--status {self.description}", reason=reason))
        self.port = outcome[0]

    def startService(self):
        Service.startService(self)
        catalogue = self.server.factory.catalogue
        address = self.port.getHost()
        if self.guard is not None:
            self.guard.start()
        log.info(catalogue.statusListening, url=urlOf(self.description, address))
        if self.guard is None and exposed(address):
            log.warn(catalogue.statusExposed, address=describeListening(address))

    def stopService(self):
        Service.stopService(self)
        if self.guard is not None:
            self.guard.stop()
        port, self.port = self.port, None
        return None if port is None else port.stopListening()
