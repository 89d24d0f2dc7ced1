# -*- test-case-name: tests.test_status_browser -*-
"""
The status page's timeline of the last minute: an SVG the page's own
script draws from /timeline.json every second. One lane per client,
newest at the bottom: a segment while it waits its turn, one while it is
served, a darker band while the work of one of its messages runs. Serial
mode draws a staircase, reactor mode parallel bars. Every lane carries
its client's C{data-peer}, every segment its C{data-kind} (C{waiting},
C{served}, C{work}) and C{data-start}/C{data-end} in seconds since the
server started, so that a test reads the picture from the DOM.
"""

from .page import REFRESH_MILLISECONDS

#: Colours a colour-blind reader tells apart (Okabe and Ito's palette):
#: waiting orange, served sky blue, work dark blue.
COLOURS = {"waiting": "#E69F00", "served": "#56B4E9", "work": "#0072B2"}

CSS = """\
#timelineSection svg { width: 100%; display: block; background: #fff; border-radius: 0.5rem; box-shadow: 0 1px 2px #0002; }
#timelineSection .axis { font: 10px ui-monospace, monospace; fill: #5a6172; }
#timelineSection .label { font: 10px ui-monospace, monospace; fill: #1d2330; }
#timelineSection .grid { stroke: #e3e6ec; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; margin: 0.3rem 0; font-size: 0.85rem; color: #39414f; }
.legend span::before { content: ""; display: inline-block; width: 0.9rem; height: 0.7rem; margin-right: 0.3rem; vertical-align: -0.05rem; border-radius: 0.15rem; }
""" + "".join(f".legend .{kind}::before {{ background: {colour}; }}\n" for kind, colour in COLOURS.items())

SCRIPT = """\
"use strict";
(function () {
  const T = JSON.parse(document.getElementById("texts").textContent);
  const COLOURS = COLOURS_JSON;
  const NS = "http://www.w3.org/2000/svg";
  const MIN_SPAN = 2;
  let last = null;
  const svg = document.getElementById("timeline");
  function node(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function draw(d) {
    const width = Math.max(svg.clientWidth || 0, 280);
    const phone = width < 500;
    // On a phone the lanes thin out, the oldest first.
    const lanes = d.lanes.slice(-(phone ? 16 : 48));
    const laneHeight = phone ? 14 : 18, top = 16, labelWidth = phone ? 0 : 150;
    // The last minute at most; less when everything shown began later, so
    // that a few seconds of serving still read (never under MIN_SPAN): it
    // zooms out as time goes by, then scrolls.
    const first = lanes.length ? Math.min(...lanes.map((l) => l.accepted)) : d.now - d.window;
    const span = Math.min(d.window, Math.max(MIN_SPAN, (d.now - first) * 1.1));
    const start = d.now - span, plot = width - labelWidth - 8;
    const x = (t) => labelWidth + Math.max(0, Math.min(1, (t - start) / span)) * plot;
    const step = [0.25, 0.5, 1, 2, 5, 10, 15, 30].find((s) => span / s <= (phone ? 4 : 8)) || 30;
    const height = top + Math.max(lanes.length, 1) * laneHeight + 4;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("height", height);
    const children = [];
    for (let s = 0; s <= span; s += step) {
      const at = x(d.now - s);
      children.push(node("line", {class: "grid", x1: at, x2: at, y1: top - 4, y2: height}));
      children.push(node("text", {class: "axis", x: at, y: 10, "text-anchor": s ? "middle" : "end"},
        s ? "\\u2212" + +s.toFixed(2) + " s" : T.now));
    }
    lanes.forEach((lane, i) => {
      const y = top + i * laneHeight;
      const g = node("g", {class: "lane", "data-peer": lane.peer});
      if (lane.worker !== null) g.setAttribute("data-worker", lane.worker);
      const end = lane.left === null ? d.now : lane.left;
      const label = (lane.worker !== null ? "w" + lane.worker + " " : "") + lane.peer;
      g.append(node("title", {}, label));
      function segment(kind, from, to, inset) {
        if (to < start || to - from < 0) return;
        const left = x(from), right = Math.max(x(to), left + 1);
        g.append(node("rect", {
          "data-kind": kind, "data-start": from, "data-end": to, fill: COLOURS[kind],
          x: left, y: y + inset, width: right - left, height: laneHeight - 2 - 2 * inset, rx: 2,
        }));
      }
      if (lane.welcomed === null || lane.welcomed - lane.accepted >= 0.001) {
        segment("waiting", lane.accepted, lane.welcomed === null ? end : lane.welcomed, 2);
      }
      if (lane.welcomed !== null) segment("served", lane.welcomed, end, 0);
      for (const [arrival, reply] of lane.work) segment("work", arrival, reply, 3);
      if (!phone) g.append(node("text", {class: "label", x: 4, y: y + laneHeight - 6}, label));
      children.push(g);
    });
    svg.replaceChildren(...children);
  }
  async function poll() {
    try {
      const response = await fetch("timeline.json", {cache: "no-store"});
      last = await response.json();
      draw(last);
    } catch (e) {
      // The page's own badge says the server does not answer.
    }
    setTimeout(poll, REFRESH);
  }
  window.addEventListener("resize", () => last && draw(last));
  poll();
})();
""".replace("REFRESH", str(REFRESH_MILLISECONDS))


def timelineScript():
    """
    The timeline's script, with its colours.
    """
    import json

    return SCRIPT.replace("COLOURS_JSON", json.dumps(COLOURS))
