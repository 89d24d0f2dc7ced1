# -*- test-case-name: tests.test_status_web -*-
"""
The live page: one HTML shell with our own texts (escaped here), and the
script that fills it from /status.json every second, always as text.
"""

import html
import json

REFRESH_MILLISECONDS = 1000

_SHELL = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="page.css">
<script type="application/json" id="texts">{texts}</script>
<script src="page.js" defer></script>
<script src="timeline.js" defer></script>
</head>
<body>
<main>
<header><h1>{title}</h1><p id="health" class="badge"></p></header>
<p id="offline" class="badge stop" hidden>{offline}</p>
<dl class="facts">
<div><dt>{mode}</dt><dd id="mode"></dd></div>
<div><dt>{listening}</dt><dd id="listening"></dd></div>
<div><dt>{uptime}</dt><dd id="uptime"></dd></div>
</dl>
<section id="servedSection"><h2>{clients} <span id="clientsCount" class="count"></span></h2>
<ul id="clients" class="people"></ul></section>
<section id="queueSection"><h2>{waiting} <span id="waitingCount" class="count"></span></h2>
<ol id="waiting" class="people"></ol><p id="backlog"></p></section>
<section id="timelineSection"><h2>{timeline}</h2>
<p class="legend"><span class="waiting">{waitingTurn}</span><span class="served">{servedLegend}</span><span class="work">{workLegend}</span></p>
<svg id="timeline" role="img" aria-label="{timeline}"></svg></section>
<section id="numbersSection"><h2>{numbers}</h2>
<dl class="numbers">
<div><dt>{rate}</dt><dd id="rate"></dd></div>
<div><dt>{p50}</dt><dd id="p50"></dd></div>
<div><dt>{p99}</dt><dd id="p99"></dd></div>
<div><dt>{messages}</dt><dd id="messages"></dd></div>
<div><dt>{refusals}</dt><dd id="refusals"></dd></div>
<div><dt>{pool}</dt><dd id="pool"></dd></div>
</dl></section>
</main>
</body>
</html>
"""

CSS = """\
body { margin: 0; font: 16px/1.4 system-ui, sans-serif; background: #f6f7f9; color: #1d2330; }
main { max-width: 40rem; margin: 0 auto; padding: 0.75rem; }
header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
h1 { font-size: 1.3rem; margin: 0.3rem 0; }
h2 { font-size: 1.05rem; margin: 1rem 0 0.4rem; }
.badge { padding: 0.15rem 0.6rem; border-radius: 1rem; font-weight: 600; margin: 0; }
.ok { background: #d8f3dc; color: #1b5e20; } .stop { background: #ffd6d6; color: #8b0000; }
dl { margin: 0; } dt { font-size: 0.8rem; color: #5a6172; } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.facts, .numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem; }
.facts > div, .numbers > div, .people li { background: #fff; border-radius: 0.5rem; padding: 0.5rem 0.7rem; box-shadow: 0 1px 2px #0002; }
.people { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.4rem; }
.people li { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; align-items: baseline; }
.peer { font-family: ui-monospace, monospace; font-weight: 700; }
.last { flex-basis: 100%; font-family: ui-monospace, monospace; color: #39414f; overflow-wrap: anywhere; white-space: pre-wrap; }
.count { color: #5a6172; font-weight: 400; }
#waiting li { border-left: 0.35rem solid #f0a500; } #clients li { border-left: 0.35rem solid #2e7d32; }
.position { font-weight: 700; color: #b36b00; }
.worker { font-family: ui-monospace, monospace; font-size: 0.8rem; padding: 0 0.4rem; border-radius: 0.5rem; background: #e3e8f4; }
main { display: flex; flex-direction: column; }
/* A mode that holds clients for their turn (serial): the one served, then the queue, before anything else. */
body[data-holds] .facts { order: 1; margin-top: 1rem; }
body[data-holds] #numbersSection { order: 2; }
body[data-holds] #queueSection h2 { font-size: 1.3rem; }
#backlog { margin: 0.4rem 0; color: #5a6172; }
"""

SCRIPT = """\
"use strict";
(function () {
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  // Client text only ever goes in through textContent: it stays text.
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function duration(s) {
    s = Math.floor(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + " h " : "") + (h || m ? m + " min " : "") + (s % 60) + " s";
  }
  function seconds(v) {
    if (v === null) return "\\u2013";
    if (v < 0.001) return Math.round(v * 1e6) + " \\u00b5s";
    if (v < 1) return (v * 1000).toPrecision(3) + " ms";
    return v.toPrecision(3) + " s";
  }
  // Each count takes its CLDR plural form, as the server's lines do (Babel's).
  const rules = new Intl.PluralRules(document.documentElement.lang);
  function plural(forms, n) {
    return forms[rules.select(n)] || forms.other;
  }
  function text(template, values) {
    return template.replace(/\\{(\\w+)\\}/g, (_, k) => String(values[k]));
  }
  function served(c) {
    const li = el("li");
    li.dataset.peer = c.peer;
    li.append(el("span", "peer", c.peer),
      el("span", "since", text(T.since, {time: c.since ? c.since.slice(11, 19) : "\\u2013"})),
      el("span", "time", duration(c.seconds)),
      el("span", "count", text(plural(T.messagesCount, c.messages), {count: c.messages})));
    // With --workers: the worker that serves it.
    if (c.worker !== undefined && c.worker !== null) li.append(el("span", "worker", "w" + c.worker));
    if (c.last !== null) li.append(el("span", "last", c.last));
    return li;
  }
  function waiting(w, index) {
    const li = el("li");
    li.dataset.peer = w.peer;
    li.append(el("span", "position", "#" + (index + 1)), el("span", "peer", w.peer),
      el("span", "time", text(T.waitingFor, {time: duration(w.seconds)})));
    return li;
  }
  function render(s) {
    document.body.toggleAttribute("data-holds", s.holdsClients);
    $("mode").textContent = s.mode;
    $("listening").textContent = s.listening.length ? s.listening.join(", ") : "\\u2013";
    $("uptime").textContent = duration(s.uptime);
    $("health").textContent = s.serving ? T.serving : T.stopping;
    $("health").className = "badge " + (s.serving ? "ok" : "stop");
    $("clients").replaceChildren(...s.clients.map(served));
    $("clientsCount").textContent = "(" + s.clients.length + ")";
    $("waiting").replaceChildren(...s.waiting.map(waiting));
    $("waitingCount").textContent = "(" + (s.waiting.length + (s.backlog || 0)) + ")";
    $("backlog").textContent = s.backlog === null ? "" : text(T.backlog, {count: s.backlog});
    $("queueSection").hidden = !s.waiting.length && !s.backlog && !s.holdsClients;
    $("rate").textContent = s.rate.toFixed(1);
    $("p50").textContent = seconds(s.latency.p50);
    $("p99").textContent = seconds(s.latency.p99);
    $("messages").textContent = s.messages;
    $("refusals").textContent = Object.entries(s.refusals).map(([k, v]) => (T.reasons[k] || k) + ": " + v).join(", ");
    const p = s.pool, workers = s.workers ? s.workers.length : 0;
    $("pool").textContent = p.kind !== "inline" ? text(T.poolBusy, p) : workers ? text(T.inlineWorkers, {count: workers}) : T.inline;
  }
  async function poll() {
    try {
      const response = await fetch("status.json", {cache: "no-store"});
      render(await response.json());
      $("offline").hidden = true;
    } catch (e) {
      $("offline").hidden = false;
    }
    setTimeout(poll, REFRESH);
  }
  poll();
})();
""".replace("REFRESH", str(REFRESH_MILLISECONDS))


def _jsonInHtml(value):
    """
    C{value} as JSON that cannot end the C{<script>} element it sits in.
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def renderPage(catalogue):
    """
    The page's HTML in C{catalogue}'s language, as bytes.
    """
    texts = dict(catalogue.statusPage, reasons=catalogue.reasons)
    escaped = {key: html.escape(value) for key, value in texts.items() if isinstance(value, str)}
    return _SHELL.format(lang=html.escape(catalogue.lang), texts=_jsonInHtml(texts), **escaped).encode("utf-8")
