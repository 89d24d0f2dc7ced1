"""
C{--status-auth} (L{tpreactor.status.auth}): the htpasswd -B file, the
bcrypt check in a thread of its own, and HTTP Basic over a real socket
with everything but /healthz behind it.
"""

import base64
import os
import shutil
import subprocess

import bcrypt
from twisted.cred.credentials import UsernamePassword
from twisted.cred.error import UnauthorizedLogin
from twisted.internet import defer, reactor
from twisted.internet.endpoints import serverFromString
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase
from twisted.web.client import Agent, readBody
from twisted.web.http_headers import Headers

from tpreactor.status import StatusConfig, addStatus
from tpreactor.status.auth import REMEMBER_SECONDS, BadPasswordFile, BcryptChecker, readPasswords
from tpreactor.status.site import DEFAULT_MAX_CONNECTIONS

from .support import temporaryFolder
from .twistedclient import startServer

HTPASSWD = shutil.which("htpasswd")


def passwordFile(testCase, *users):
    """
    A file that C{htpasswd -B} wrote with C{(user, password)} pairs.
    """
    if HTPASSWD is None:
        raise SkipTest("htpasswd is not installed (Debian's apache2-utils; .ci/run installs it)")
    path = os.path.join(temporaryFolder(testCase), "status.htpasswd")
    for index, (user, password) in enumerate(users):
        create = ["-c"] if index == 0 else []
        subprocess.run([HTPASSWD, "-B", *create, "-b", path, user, password], check=True, capture_output=True)
    return path


class Now:
    def __init__(self):
        self.value = 0.0

    def __call__(self):
        return self.value


class InlinePool:
    """
    A thread pool that runs each call at once, and counts them.
    """

    def __init__(self):
        self.calls = 0

    def callInThreadWithCallback(self, onResult, f, *args, **kwargs):
        self.calls += 1
        onResult(True, f(*args, **kwargs))


class InlineReactor:
    def callFromThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


class ReadPasswordsTests(SynchronousTestCase):
    def test_htpasswdB(self):
        """
        The users and bcrypt hashes of a file htpasswd -B wrote are read, and the hash checks the password.
        """
        users = readPasswords(passwordFile(self, ("ana", "secreto"), ("luis", "otro")))
        self.assertEqual(sorted(users), ["ana", "luis"])
        self.assertTrue(bcrypt.checkpw(b"secreto", users["ana"]))

    def test_notBcrypt(self):
        """
        A line whose hash is not bcrypt (htpasswd without -B) is refused, naming the line.
        """
        path = os.path.join(temporaryFolder(self), "p")
        with open(path, "w") as f:
            f.write("# comment\n\nana:$apr1$abc$def\n")
        error = self.assertRaises(BadPasswordFile, readPasswords, path)
        self.assertEqual(error.args, ("notBcrypt", {"path": path, "line": 3}))

    def test_emptyAndBadLine(self):
        """
        A file with no user, or a line with no colon, is refused.
        """
        folder = temporaryFolder(self)
        empty, bad = os.path.join(folder, "empty"), os.path.join(folder, "bad")
        open(empty, "w").close()
        with open(bad, "w") as f:
            f.write("ana\n")
        self.assertEqual(self.assertRaises(BadPasswordFile, readPasswords, empty).args[0], "empty")
        self.assertEqual(self.assertRaises(BadPasswordFile, readPasswords, bad).args[0], "badLine")

    def test_missing(self):
        """
        A file that cannot be read is an OSError (worded by the options).
        """
        self.assertRaises(OSError, readPasswords, "/nonexistent/status.htpasswd")


class BcryptCheckerTests(SynchronousTestCase):
    def checker(self):
        users = {"ana": bcrypt.hashpw(b"secreto", bcrypt.gensalt(4))}
        pool, now = InlinePool(), Now()
        return BcryptChecker(users, InlineReactor(), pool, now), pool, now

    def test_rightPassword(self):
        """
        The right password gives the user, checked in the pool, not the calling thread.
        """
        checker, pool, _ = self.checker()
        self.assertEqual(self.successResultOf(checker.requestAvatarId(UsernamePassword(b"ana", b"secreto"))), "ana")
        self.assertEqual(pool.calls, 1)

    def test_wrongPasswordOrUser(self):
        """
        A wrong password, or an unknown user, is refused; both are checked in the pool.
        """
        checker, pool, _ = self.checker()
        self.failureResultOf(checker.requestAvatarId(UsernamePassword(b"ana", b"mal")), UnauthorizedLogin)
        self.failureResultOf(checker.requestAvatarId(UsernamePassword(b"eve", b"secreto")), UnauthorizedLogin)
        self.assertEqual(pool.calls, 2)

    def test_remembered(self):
        """
        A password once checked is taken without a new bcrypt check for L{REMEMBER_SECONDS}, then checked again.
        """
        checker, pool, now = self.checker()
        right = UsernamePassword(b"ana", b"secreto")
        for _ in range(5):
            self.successResultOf(checker.requestAvatarId(right))
        self.assertEqual(pool.calls, 1)
        self.failureResultOf(checker.requestAvatarId(UsernamePassword(b"ana", b"mal")), UnauthorizedLogin)
        now.value += REMEMBER_SECONDS + 1
        self.successResultOf(checker.requestAvatarId(right))
        self.assertEqual(pool.calls, 3)


@defer.inlineCallbacks
def fetch(url, user=None, password=None):
    headers = Headers()
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers.addRawHeader(b"authorization", f"Basic {token}".encode())
    response = yield Agent(reactor).request(b"GET", url.encode(), headers)
    body = yield readBody(response)
    return response, body


class AuthOverHttpTests(TestCase):
    def serve(self):
        path = passwordFile(self, ("ana", "secreto"))
        server = startServer("reactor")
        self.addCleanup(server.stopService)
        description = "tcp:0:interface=127.0.0.1"
        config = StatusConfig(description, DEFAULT_MAX_CONNECTIONS, (), readPasswords(path))
        status = addStatus(server, config, serverFromString(reactor, description))
        return f"http://127.0.0.1:{status.port.getHost().port}/"

    @defer.inlineCallbacks
    def test_credentialsAsked(self):
        """
        Without credentials, or with wrong ones, the page, the JSON and the metrics are 401 with a Basic challenge and no server data.
        """
        base = self.serve()
        for path in ("", "status.json", "metrics", "page.js"):
            response, body = yield fetch(base + path)
            self.assertEqual(response.code, 401, path)
            self.assertIn(b"basic realm=", response.headers.getRawHeaders(b"www-authenticate")[0].lower())
            self.assertNotIn(b"clients", body)
        response, _ = yield fetch(base + "status.json", "ana", "mal")
        self.assertEqual(response.code, 401)

    @defer.inlineCallbacks
    def test_credentialsGiven(self):
        """
        With the right user and password the JSON and the metrics are served.
        """
        base = self.serve()
        response, body = yield fetch(base + "status.json", "ana", "secreto")
        self.assertEqual(response.code, 200)
        self.assertIn(b'"clients"', body)
        response, body = yield fetch(base + "metrics", "ana", "secreto")
        self.assertIn(b"tpreactor_messages_total", body)

    @defer.inlineCallbacks
    def test_healthOpen(self):
        """
        /healthz needs no credentials: a balancer's check has none.
        """
        base = self.serve()
        response, body = yield fetch(base + "healthz")
        self.assertEqual((response.code, body), (200, b"serving\n"))
