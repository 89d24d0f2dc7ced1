# -*- test-case-name: tests.test_status_hosts -*-
"""
Which C{Host} the status endpoint answers: the address the connection
reached, C{localhost} and the loopback addresses on a loopback listener,
and the names the operator adds (C{--status-host}). A page a browser
loaded from another name (DNS rebinding) gets 421 and no server data.
"""

import ipaddress

from twisted.internet.address import IPv4Address, IPv6Address

#: The names of this machine on a loopback listener.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def normalName(name):
    """
    C{name} (a host name or address, with or without a port, an IPv6
    address in brackets or not) the way two of them compare: lower case,
    no trailing dot, no port, no brackets.
    """
    name = name.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return name.rstrip(".")


def isLoopback(host):
    """
    Whether C{host} (an address) is a loopback one.
    """
    try:
        return ipaddress.ip_address(host.partition("%")[0]).is_loopback
    except ValueError:
        return False


class AllowedHosts:
    """
    The C{Host} values the endpoint answers.

    @ivar names: the names the operator added, normalised.
    """

    def __init__(self, names=()):
        self.names = frozenset(normalName(n) for n in names)

    def allows(self, host, local):
        """
        Whether a request with C{Host: host} (C{bytes}, or C{None} when it
        sends none) reaching C{local} (the connection's own address) is
        answered. A request without C{Host} comes from no browser (they
        all send one); a unix socket's comes from no browser either.
        """
        if host is None or not isinstance(local, (IPv4Address, IPv6Address)):
            return True
        name = normalName(host.decode("ascii", "replace"))
        if name in self.names or name == normalName(local.host):
            return True
        return name in LOOPBACK_NAMES and isLoopback(local.host)
