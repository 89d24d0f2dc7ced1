# -*- test-case-name: tests.test_status_auth -*-
"""
C{--status-auth FILE}: HTTP Basic authentication for the status endpoint
(twisted.cred, twisted.web's C{HTTPAuthSessionWrapper}) against the bcrypt
lines C{htpasswd -B} writes. A bcrypt check takes milliseconds of CPU, so
it runs in a thread of its own, never in the reactor's, and a password
once verified is remembered for a while (a browser sends it every second).
"""

import hashlib
import time

import bcrypt
from twisted.cred.checkers import ICredentialsChecker
from twisted.cred.credentials import IUsernamePassword
from twisted.cred.error import UnauthorizedLogin
from twisted.cred.portal import IRealm, Portal
from twisted.internet import defer
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool
from twisted.web.guard import BasicCredentialFactory, HTTPAuthSessionWrapper
from twisted.web.resource import IResource
from zope.interface import implementer

SECONDS = 1.0
#: How long a verified user and password are taken without a new bcrypt check.
REMEMBER_SECONDS = 300.0 * SECONDS
#: The realm a browser shows when it asks for credentials.
REALM = b"tpreactor"
#: The prefixes of bcrypt hashes (htpasswd -B writes $2y$).
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
#: Checked against when the user is unknown, so that the answer takes as
#: long as for a known one (made once, at the cost htpasswd -B uses by default).
_NOBODY = bcrypt.hashpw(b"nobody", bcrypt.gensalt(5))


class BadPasswordFile(ValueError):
    """
    The file given to C{--status-auth} cannot be used. C{args[0]} is the
    reason's key in the catalogue's C{authErrors}, C{args[1]} its fields.
    """


def readPasswords(path):
    """
    The users and bcrypt hashes of an htpasswd file: C{{user: hash}}.

    @raise OSError: it cannot be read.
    @raise BadPasswordFile: it holds no user, or a line is not
        C{user:bcrypt-hash}.
    """
    with open(path, "rb") as f:
        content = f.read()
    users = {}
    for number, raw in enumerate(content.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        user, colon, hashed = line.partition(b":")
        if not colon or not user:
            raise BadPasswordFile("badLine", {"path": path, "line": number})
        if not hashed.decode("ascii", "replace").startswith(BCRYPT_PREFIXES):
            raise BadPasswordFile("notBcrypt", {"path": path, "line": number})
        users[user.decode("utf-8", "replace")] = hashed
    if not users:
        raise BadPasswordFile("empty", {"path": path})
    return users


@implementer(ICredentialsChecker)
class BcryptChecker:
    """
    Checks a user name and password against L{readPasswords}' hashes, in
    C{pool} (one thread: a flood of wrong passwords costs one core at
    most, and the reactor's thread nothing).

    @ivar now: the clock the remembered passwords expire on.
    """

    credentialInterfaces = (IUsernamePassword,)

    def __init__(self, users, reactor, pool, now=time.monotonic):
        self.users = users
        self.reactor = reactor
        self.pool = pool
        self.now = now
        self._remembered = {}

    def requestAvatarId(self, credentials):
        user = credentials.username.decode("utf-8", "replace")
        password = credentials.password
        hashed = self.users.get(user)
        key = hashlib.sha256(user.encode("utf-8") + b"\0" + password).digest()
        if hashed is not None and self._remembered.get(key, 0) > self.now():
            return defer.succeed(user)
        d = deferToThreadPool(self.reactor, self.pool, bcrypt.checkpw, password, hashed or _NOBODY)
        return d.addCallback(self._checked, user, key, hashed is not None)

    def _checked(self, matches, user, key, known):
        if not (matches and known):
            raise UnauthorizedLogin()
        self._remembered = {k: t for k, t in self._remembered.items() if t > self.now()}
        self._remembered[key] = self.now() + REMEMBER_SECONDS
        return user


@implementer(IRealm)
class StatusRealm:
    """
    Every user who gets in sees the same status resources.
    """

    def __init__(self, resource):
        self.resource = resource

    def requestAvatar(self, avatarId, mind, *interfaces):
        if IResource not in interfaces:
            raise NotImplementedError()
        return IResource, self.resource, lambda: None


class Guard:
    """
    What C{--status-auth} puts in front of the status resources: the
    users (from L{readPasswords}), the checker's thread, and the wrapped
    resource.
    """

    def __init__(self, users, reactor):
        self.users = users
        self.reactor = reactor
        self.pool = ThreadPool(minthreads=0, maxthreads=1, name="tpreactor-status-auth")

    def protect(self, resource):
        """
        C{resource} behind HTTP Basic authentication.
        """
        checker = BcryptChecker(self.users, self.reactor, self.pool)
        portal = Portal(StatusRealm(resource), [checker])
        return HTTPAuthSessionWrapper(portal, [BasicCredentialFactory(REALM)])

    def start(self):
        self.pool.start()

    def stop(self):
        self.pool.stop()
