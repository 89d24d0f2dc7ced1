# -*- test-case-name: tests.test_status_options -*-
"""
The status endpoint's part of the server's command line: C{--status} and
the options that bound and guard it, checked before anything listens.
"""

from twisted.python import usage

from ..commandline import Number
from ..endpoints import describeOSError, parseEndpoint
from ..startup import checkSocketFolder
from . import StatusConfig, statusEndpoint
from .site import DEFAULT_MAX_CONNECTIONS

#: The options this mixin adds, as --help lists them.
STATUS_OPTIONS = ("status", "status-max-connections", "status-host", "status-auth")


class StatusOptions:
    """
    A mixin for the server's L{usage.Options}: C{--status ENDPOINT},
    C{--status-max-connections N}, C{--status-host NAME} (repeatable) and
    C{--status-auth FILE}; L{checkStatus} turns them into a
    L{StatusConfig} (C{self.statusConfig}, C{None} without C{--status}).
    """

    optParameters = [
        ["status", None, None, None],
        ["status-max-connections", None, DEFAULT_MAX_CONNECTIONS, None,
         Number(int, "status-max-connections", 0, True)],
        ["status-auth", None, None, None],
    ]
    statusConfig = None

    def opt_status_host(self, name):
        """
        Another name the status page is reached by (repeatable).
        """
        self.setdefault("status-host", []).append(name)

    def documentStatus(self, cat):
        for name in STATUS_OPTIONS:
            self.docs[name] = cat.optionHelp[name]

    def checkStatus(self, reactor, cat):
        """
        The status options, checked (raises L{usage.UsageError} in one line
        in C{cat}'s language), as C{self.statusConfig}.
        """
        hosts = tuple(self.get("status-host") or ())
        if self["status"] is None:
            for option, given in (("--status-auth", self["status-auth"]), ("--status-host", hosts)):
                if given:
                    raise usage.UsageError(cat.statusNeeded.format(option=option))
            return
        description = self["status"] = statusEndpoint(self["status"])
        try:
            endpoint = parseEndpoint(reactor, description, cat.lang)
        except ValueError as e:
            raise usage.UsageError(f"--status: {e}") from None
        checkSocketFolder(description, endpoint, cat)
        passwords = None
        if self["status-auth"] is not None:
            from .auth import BadPasswordFile, readPasswords

            path = self["status-auth"]
            try:
                passwords = readPasswords(path)
            except OSError as e:
                reason = describeOSError(e, cat.lang)
                raise usage.UsageError(cat.authErrors["unreadable"].format(path=path, reason=reason)) from None
            except BadPasswordFile as e:
                key, fields = e.args
                raise usage.UsageError(cat.authErrors[key].format(**fields)) from None
        self.statusConfig = StatusConfig(description, self["status-max-connections"], hosts, passwords)
