"""
The status page in real headless Chromium (driven by Selenium through
chromium-driver), against a server in this process: the clients and their
ports appear, a new one appears without a reload, a hostile client's text
stays text, and in serial mode the queue shows.

Set C{TPREACTOR_SCREENSHOT=path.png} to keep the serial-mode screenshot
(docs/status.md's docs/status-serial.png is made so).
"""

import os
import shutil
import time

from twisted.internet import defer, threads
from twisted.trial.unittest import TestCase

from .support import temporaryFolder
from .test_status_web import statusServer
from .twistedclient import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = '<img src=x onerror="window.pwned=1">'
DEADLINE_SECONDS = 15.0

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:  # pragma: no cover - the test extra installs it
    webdriver = None


def missing():
    """
    Why the browser tests cannot run here, or C{None}.
    """
    if webdriver is None:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install {package})"
    return None


def startBrowser(profile):
    """
    Headless Chromium with a new empty profile, as the tests want it.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=430,1200"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def waitUntil(driver, script, deadline=DEADLINE_SECONDS):
    """
    In a thread: run C{script} in the page until it returns something true; return that.
    """
    end = time.monotonic() + deadline
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline}s: {script}\n{driver.page_source}")
        time.sleep(0.1)


PEERS = "return Array.from(document.querySelectorAll('#clients li .peer')).map(e => e.textContent)"


class BrowserTestCase(TestCase):
    """
    A test case with headless Chromium at C{self.driver}, driven from a
    thread (L{run_}) while the reactor serves the page.
    """

    skip = missing()
    timeout = 120

    @defer.inlineCallbacks
    def setUp(self):
        self.driver = yield threads.deferToThread(startBrowser, temporaryFolder(self))
        self.addCleanup(threads.deferToThread, self.driver.quit)

    def run_(self, function, *args):
        return threads.deferToThread(function, *args)


class StatusPageBrowserTests(BrowserTestCase):

    @defer.inlineCallbacks
    def _connect(self, port, text=None):
        client = yield connect(port)
        yield client.line()
        if text is not None:
            yield client.ask(text)
        self.addCleanup(client.transport.loseConnection)
        return client

    @defer.inlineCallbacks
    def test_clientsLive(self):
        """
        Three clients show with their ports; a fourth appears without a
        reload; the hostile client's text shows as text and runs nothing.
        """
        server, status, base = statusServer(self)
        clients = []
        for text in ("hola", HOSTILE, None):
            clients.append((yield self._connect(server.port, text)))
        yield self.run_(self.driver.get, base)
        shown = yield self.run_(waitUntil, self.driver, PEERS.replace("return ", "const p = ") + "; return p.length === 3 && p")
        self.assertEqual(sorted(shown), sorted(f"127.0.0.1:{c.localPort}" for c in clients))
        yield self.run_(self.driver.execute_script, "window.samePage = 42")
        fourth = yield self._connect(server.port, "cuarto")
        shown = yield self.run_(waitUntil, self.driver, PEERS.replace("return ", "const p = ") + "; return p.length === 4 && p")
        self.assertIn(f"127.0.0.1:{fourth.localPort}", shown)
        self.assertEqual((yield self.run_(self.driver.execute_script, "return window.samePage")), 42)
        last = yield self.run_(
            self.driver.execute_script,
            f"return document.querySelector('#clients li[data-peer=\"127.0.0.1:{clients[1].localPort}\"] .last').textContent",
        )
        self.assertEqual(last, HOSTILE)
        found = yield self.run_(
            self.driver.execute_script, "return [document.querySelectorAll('img').length, window.pwned === undefined]"
        )
        self.assertEqual(found, [0, True])
        counts = yield self.run_(
            self.driver.execute_script,
            "return [Array.from(document.querySelectorAll('#clients li .count')).map(e => e.textContent),"
            " document.getElementById('refusals').textContent]",
        )
        # Each count takes its plural form; the reasons are the server's words.
        self.assertEqual(sorted(counts[0]), ["0 mensajes", "1 mensaje", "1 mensaje", "1 mensaje"])
        self.assertEqual(counts[1], "servidor lleno: 0, cierre del servidor: 0")

    @defer.inlineCallbacks
    def test_serialQueue(self):
        """
        In serial mode the page shows the client served, the ones held in
        their order, and the count still in the kernel's queue.
        """
        server, status, base = statusServer(self, mode="serial", lang="en")
        # One accept loop takes these together: one is served, the server holds the others.
        together = yield defer.gatherResults([connect(server.port) for _ in range(4)])
        yield self._until(lambda: len(server.factory.waiting) == 3)
        served = server.factory.active.peer.port
        first = next(c for c in together if c.localPort == served)
        yield first.line()
        yield first.ask("hello")
        yield first.ask("<b>not bold</b>")
        order = [p.peer.port for p in server.factory.waiting]
        held = sorted((c for c in together if c is not first), key=lambda c: order.index(c.localPort))
        # The ports are paused now: these wait in the kernel's queue.
        backlog = yield defer.gatherResults([connect(server.port) for _ in range(2)])
        for client in together + backlog:
            self.addCleanup(client.transport.loseConnection)
        yield self.run_(self.driver.get, base)
        waiting = yield self.run_(
            waitUntil, self.driver,
            "const w = Array.from(document.querySelectorAll('#waiting li .peer')).map(e => e.textContent);"
            "return w.length === 3 && document.getElementById('backlog').textContent.endsWith(': 2') && w",
        )
        self.assertEqual(waiting, [f"127.0.0.1:{c.localPort}" for c in held])
        shown = yield self.run_(self.driver.execute_script, PEERS)
        self.assertEqual(shown, [f"127.0.0.1:{first.localPort}"])
        yield self.run_(time.sleep, 1.5)
        path = os.environ.get("TPREACTOR_SCREENSHOT") or os.path.join(temporaryFolder(self), "status.png")
        yield self.run_(self._screenshot, path)
        self.assertTrue(os.path.getsize(path) > 0)

    def _screenshot(self, path):
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(430, height + 20)
        self.driver.save_screenshot(path)

    @defer.inlineCallbacks
    def _until(self, predicate):
        from twisted.internet import reactor, task

        end = time.monotonic() + DEADLINE_SECONDS
        while not predicate():
            if time.monotonic() > end:
                raise AssertionError("not in time")
            yield task.deferLater(reactor, 0.05, lambda: None)
