"""
The status page's timeline in real headless Chromium, against a server in
this process: serial mode draws a staircase (the served segments one after
another, in the order the clients came), reactor mode parallel bars (they
overlap), and a new client's lane appears without a reload. The picture is
read from the DOM: each lane's C{data-peer}, each segment's C{data-kind},
C{data-start} and C{data-end}.

Set C{TPREACTOR_TIMELINE_SCREENSHOTS=folder} to keep a screenshot of each
mode's timeline (docs/timeline-serial.png and docs/timeline-reactor.png are
made so).
"""

import os

from twisted.internet import defer

from .test_status_browser import BrowserTestCase, waitUntil
from .test_status_web import statusServer
from .twistedclient import connect

#: Every lane's peer and its served segment, once C{count} lanes are drawn.
SERVED = """
const lanes = Array.from(document.querySelectorAll('#timeline g.lane'));
if (lanes.length < COUNT) return null;
return lanes.map(g => {
  const s = g.querySelector('[data-kind="served"]');
  return s && [g.dataset.peer, parseFloat(s.dataset.start), parseFloat(s.dataset.end)];
}).every(x => x) && lanes.map(g => {
  const s = g.querySelector('[data-kind="served"]');
  return [g.dataset.peer, parseFloat(s.dataset.start), parseFloat(s.dataset.end),
          g.querySelectorAll('[data-kind="work"]').length];
});
"""

WORK_SECONDS = 0.3


class TimelineBrowserTests(BrowserTestCase):

    @defer.inlineCallbacks
    def session(self, port, connected):
        """
        One client's whole session on C{connected}: its welcome, one
        message and its reply, salir and the goodbye.
        """
        client = yield connected
        yield client.line()
        yield client.ask("hola")
        yield client.ask("salir")
        yield client.closed
        return client

    @defer.inlineCallbacks
    def threeAtOnce(self, mode):
        """
        A server in C{mode} whose every message costs L{WORK_SECONDS}, three
        clients that connect at once and each send one message then salir,
        and the page open on it: the lanes as the page draws them.
        """
        server, status, base = statusServer(self, mode=mode, work=WORK_SECONDS)
        connecting = [connect(server.port) for _ in range(3)]
        clients = yield defer.gatherResults([self.session(server.port, c) for c in connecting])
        yield self.run_(self.driver.set_window_size, 760, 900)
        yield self.run_(self.driver.get, base)
        lanes = yield self.run_(waitUntil, self.driver, SERVED.replace("COUNT", "3"))
        self.assertEqual(sorted(peer for peer, *_ in lanes), sorted(f"127.0.0.1:{c.local}" for c in clients))
        folder = os.environ.get("TPREACTOR_TIMELINE_SCREENSHOTS")
        if folder:
            yield self.run_(self._screenshot, os.path.join(folder, f"timeline-{mode}.png"))
        return server, lanes

    def _screenshot(self, path):
        self.driver.execute_script("document.getElementById('timelineSection').scrollIntoView()")
        self.driver.find_element("id", "timelineSection").screenshot(path)

    @defer.inlineCallbacks
    def test_serialStaircase(self):
        """
        In serial mode three clients that came at once are served one after another, in the order they came: the served segments do not overlap and start in order, each with its message's work.
        """
        server, lanes = yield self.threeAtOnce("serial")
        starts = [start for _, start, _, _ in lanes]
        self.assertEqual(starts, sorted(starts))
        for (_, _, end, _), (_, start, _, _) in zip(lanes, lanes[1:]):
            self.assertLessEqual(end, start + 0.002)
        self.assertTrue(all(works >= 1 for *_, works in lanes))
        self.assertGreaterEqual(lanes[-1][1] - lanes[0][1], 2 * WORK_SECONDS * 0.9)

    @defer.inlineCallbacks
    def test_reactorParallelBars(self):
        """
        In reactor mode the same three clients are served side by side: their served segments overlap.
        """
        server, lanes = yield self.threeAtOnce("reactor")
        latestStart = max(start for _, start, _, _ in lanes)
        earliestEnd = min(end for _, _, end, _ in lanes)
        self.assertLess(latestStart, earliestEnd)

    @defer.inlineCallbacks
    def test_newClientWithoutReload(self):
        """
        A client that comes while the page is open gets its lane, without a reload.
        """
        server, lanes = yield self.threeAtOnce("reactor")
        yield self.run_(self.driver.execute_script, "window.samePage = 42")
        fourth = yield connect(server.port)
        yield fourth.line()
        self.addCleanup(fourth.transport.loseConnection)
        peers = yield self.run_(
            waitUntil, self.driver,
            "const p = Array.from(document.querySelectorAll('#timeline g.lane')).map(g => g.dataset.peer);"
            "return p.length === 4 && p",
        )
        self.assertEqual(peers[-1], f"127.0.0.1:{fourth.local}")
        self.assertEqual((yield self.run_(self.driver.execute_script, "return window.samePage")), 42)
