# -*- test-case-name: tests.test_proxy_trust -*-
"""
Whose PROXY headers are believed (C{--trusted-proxies}), and the clients
the headers claim, so that a claim already live is not believed twice.

A PROXY header names any source its sender likes; only a balancer the
operator runs may send one, as nginx's C{set_real_ip_from} and uvicorn's
C{--forwarded-allow-ips} say. A unix-socket peer is on this host, and the
socket file's permissions say who may connect: it is always trusted.
"""

import ipaddress

from twisted.internet.address import IPv4Address, IPv6Address

#: What is trusted when the operator says nothing: this host's loopback.
DEFAULT_TRUSTED = ("127.0.0.0/8", "::1")

#: How many peers' answers are remembered (a balancer is a handful of hosts).
_REMEMBERED = 1024


def parseTrusted(text):
    """
    The networks of C{--trusted-proxies TEXT}: addresses and networks
    (CIDR, IPv4 and IPv6) separated by commas.

    @return: the networks, as the canonical strings of L{ipaddress}.
    @raise ValueError: with the first item that is neither, as written.
    """
    items = [item.strip() for item in text.split(",")]
    networks = []
    for item in items:
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(item) from None
    return tuple(networks)


class Trusted:
    """
    The peers whose PROXY headers are believed.

    @ivar networks: the L{ipaddress} networks trusted.
    """

    def __init__(self, networks=DEFAULT_TRUSTED):
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        self._known = {}

    def believes(self, address):
        """
        Whether a connection whose own (socket) peer is C{address} may say,
        in a PROXY header, whom it comes for.
        """
        if not isinstance(address, (IPv4Address, IPv6Address)):
            return True  # a unix socket: this host
        host = address.host
        known = self._known.get(host)
        if known is None:
            known = self._check(host)
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            self._known[host] = known
        return known

    def _check(self, host):
        try:
            ip = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        # An IPv4 client of a dual-stack IPv6 socket is ::ffff:a.b.c.d.
        mapped = getattr(ip, "ipv4_mapped", None)
        candidates = (ip,) if mapped is None else (ip, mapped)
        return any(c in n for c in candidates for n in self.networks if c.version == n.version)


class Claims:
    """
    The clients that PROXY headers claimed and that are still connected,
    by their address as the console writes it (C{10.0.0.5:50000}): a
    balancer never sends two live connections of one client address and
    port, so a second one is somebody else's claim.

    In one process this is the whole server's; with C{--workers} each
    worker asks the main process's (see L{tpreactor.workers.admission}).
    """

    def __init__(self):
        self._live = {}

    def claim(self, peer, owner=None):
        """
        Take C{peer} for C{owner}: whether it was free (if not, nothing changes).
        """
        if peer in self._live:
            return False
        self._live[peer] = owner
        return True

    def release(self, peer, owner=None):
        """
        C{peer}'s connection is gone.
        """
        if peer in self._live and self._live[peer] == owner:
            del self._live[peer]

    def releaseAll(self, owner):
        """
        Every claim of C{owner} (a worker that ended) is gone.
        """
        for peer in [p for p, o in self._live.items() if o == owner]:
            del self._live[peer]

    def __len__(self):
        return len(self._live)
