# -*- test-case-name: tests.test_bench_report,tests.test_bench -*-
"""The report: the side-by-side rich table with ratios, and the JSON with every figure and the configuration."""

import json

from rich import box
from rich.table import Table

from .configuration import configuration, sourceRevision
from .saturation import BOUND, LOWER_BOUND, boundByLoad
from .scenarios import OPERATION

__all__ = ["configuration", "sourceRevision", "caption", "table", "ranking", "rankingLine", "notes", "document",
           "writeJson"]

SCHEMA = 1


def _get(*path):
    def get(figures):
        value = figures
        for key in path:
            if value is None:
                return None
            value = value.get(key) if isinstance(value, dict) else None
        return value
    return get


def _ratioOfIdeal(figures):
    ideal = figures.get("ideal_makespan_s")
    return figures["makespan_s"] / ideal if ideal else None


def _kib(figures):
    value = _get("memory", "rss_per_connection_bytes")(figures)
    return None if value is None else value / 1024.0


def _mib(key):
    def get(figures):
        value = _get("memory", key)(figures)
        return None if value is None else value / 1048576.0
    return get


def _percent(get):
    def percent(figures):
        value = get(figures)
        return None if value is None else value * 100.0
    return percent


#: (row name, extractor, format, scenarios it applies to, comparable by ratio)
ROWS = [
    ("clients", _get("clients"), "{:,.0f}", ("welcome", "chat", "churn", "idle"), False),
    ("completed", _get("completed"), "{:,.0f}", ("welcome", "chat", "churn"), False),
    ("welcomed", _get("welcomed"), "{:,.0f}", ("welcome", "idle"), False),
    ("failed", _get("failed"), "{:,.0f}", ("welcome", "chat", "churn", "idle"), False),
    ("hung", _get("hung"), "{:,.0f}", ("welcome", "chat", "churn", "idle"), False),
    ("replies", _get("replies"), "{:,.0f}", ("chat",), False),
    ("makespan s", _get("makespan_s"), "{:.3f}", ("welcome", "chat", "churn", "idle"), True),
    ("ideal makespan s", _get("ideal_makespan_s"), "{:.3f}", ("welcome", "chat"), False),
    ("makespan ÷ ideal", _ratioOfIdeal, "{:.2f}", ("welcome", "chat"), False),
    ("replies/s", _get("per_second"), "{:,.0f}", ("chat",), True),
    ("clients/s", _get("per_second"), "{:,.0f}", ("welcome",), True),
    ("connections/s", _get("per_second"), "{:,.0f}", ("churn",), True),
    ("to welcome p50 ms", _get("welcome", "p50_ms"), "{:.2f}", ("welcome", "chat", "idle"), True),
    ("to welcome p90 ms", _get("welcome", "p90_ms"), "{:.2f}", ("chat",), True),
    ("to welcome max ms", _get("welcome", "max_ms"), "{:.2f}", ("welcome", "chat", "idle"), True),
    ("reply latency p50 ms", _get("latency", "p50_ms"), "{:.3f}", ("chat",), True),
    ("reply latency p90 ms", _get("latency", "p90_ms"), "{:.3f}", ("chat",), True),
    ("reply latency p99 ms", _get("latency", "p99_ms"), "{:.3f}", ("chat",), True),
    ("reply latency max ms", _get("latency", "max_ms"), "{:.3f}", ("chat",), True),
    ("welcome slope ms/client", _get("welcome", "slope_ms_per_client"), "{:.3f}", ("welcome",), False),
    ("session mean ms", _get("session_mean_ms"), "{:.3f}", ("churn",), True),
    ("server RSS before MiB", _mib("rss_before"), "{:.1f}", ("idle",), False),
    ("server RSS held MiB", _mib("rss_held"), "{:.1f}", ("idle",), False),
    ("server RSS/conn KiB", _kib, "{:.2f}", ("idle",), True),
    ("server CPU µs/op", _get("server_cpu_us_per_op"), "{:.1f}", ("welcome", "chat", "churn", "idle"), True),
    ("load CPU µs/op", _get("load_cpu_us_per_op"), "{:.1f}", ("welcome", "chat", "churn", "idle"), True),
    ("server CPU % of a core", _percent(_get("server_utilisation")), "{:.0f}",
     ("welcome", "chat", "churn", "idle"), False),
    ("load CPU % (busiest proc)", _percent(_get("saturation", "load_busiest")), "{:.0f}",
     ("welcome", "chat", "churn", "idle"), False),
    ("load CPU % (all procs)", _percent(_get("saturation", "load_total")), "{:.0f}",
     ("welcome", "chat", "churn", "idle"), False),
]


#: What the figures a student could misread mean, under each table.
_TO_WELCOME = "to welcome: connect → welcome, the wait for one's turn (in serial mode, for the clients before)."
_REPLY = ("reply latency: a message sent → its reply, counted only after the welcome: it leaves out the wait "
          "for one's turn (to welcome), so serial mode's looks short.")
_MAKESPAN = "makespan: the first connect → the last close; ideal: what the mode's design allows for the work alone."
_CPU = ("CPU µs/op: CPU time per {operation} of the server's processes (from the kernel's per-process CPU "
        "clock) and of the load generator; n/a when the clock is too coarse for the run.")
CAPTIONS = {
    "welcome": (_TO_WELCOME, _MAKESPAN, _CPU),
    "chat": (_TO_WELCOME, _REPLY, _MAKESPAN, _CPU),
    "churn": (_CPU,),
    "idle": (_TO_WELCOME, _CPU),
}


#: The throughput of each scenario that has one (higher is better).
THROUGHPUT = {"welcome": "clients/s", "chat": "replies/s", "churn": "connections/s"}
#: Rows whose ratios stand even when the load generator bound a run: the CPU
#: an operation costs does not depend on how fast it was driven.
_CPU_ROWS = frozenset({"server CPU µs/op", "load CPU µs/op"})


def caption(scenario, operation):
    """
    The lines under a table of C{scenario} that say what its figures measure.
    """
    return "\n".join(line.format(operation=operation) for line in CAPTIONS[scenario])


def fmt(value, pattern):
    return "n/a" if value is None else pattern.format(value)


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def ratios(job, baseline):
    """
    For every run but the baseline: each comparable figure divided by the
    baseline's, and whether the ratio is valid (neither side limited by
    its load generator).
    """
    results = job["results"]
    if baseline not in results:
        return {}
    base = results[baseline]
    out = {}
    for label, figures in results.items():
        if label == baseline or figures.get("skipped"):
            continue
        entry = {}
        for name, get, _, applies, comparable in ROWS:
            if comparable and job["spec"]["scenario"] in applies and not base.get("skipped"):
                entry[name] = ratio(get(figures), get(base))
        entry["bound_by_load"] = boundByLoad(figures) or boundByLoad(base)
        entry["valid"] = not entry["bound_by_load"]
        out[label] = entry
    return out


def table(job, baseline):
    """
    One rich table: a row per figure, a column per server, then one ratio
    column per server against the baseline.
    """
    scenario = job["spec"]["scenario"]
    labels = list(job["results"])
    rats = ratios(job, baseline)
    t = Table(title=job["name"], box=box.SIMPLE_HEAVY, title_justify="left",
              caption=caption(scenario, OPERATION[scenario]), caption_justify="left")
    t.add_column("figure")
    for label in labels:
        t.add_column(label, justify="right")
    for label in rats:
        t.add_column(f"{label} ÷ {baseline}", justify="right", style="cyan")
    for name, get, pattern, applies, comparable in ROWS:
        if scenario not in applies:
            continue
        values = []
        for label in labels:
            figures = job["results"][label]
            value = "skipped" if figures.get("skipped") else fmt(get(figures), pattern)
            if name == THROUGHPUT.get(scenario) and value != "n/a" and not figures.get("skipped") \
                    and boundByLoad(figures):
                value = f"≥ {value}"  # a lower bound: the server was driven no faster
            values.append(value)
        if all(v in ("n/a", "skipped") for v in values) and name.startswith(("ideal", "makespan ÷")):
            continue
        cells = [name, *values]
        for label, entry in rats.items():
            r = entry.get(name) if comparable else None
            text = "" if r is None else f"{r:.2f}×"
            if text and entry["bound_by_load"] and name not in _CPU_ROWS:
                text += " (load-bound)"
            cells.append(text)
        t.add_row(*cells)
    bound = []
    for label in labels:
        figures = job["results"][label]
        if figures.get("skipped"):
            bound.append("")
        else:
            bound.append(f"[red]yes: {LOWER_BOUND}[/red]" if boundByLoad(figures) else "no")
    t.add_row(BOUND, *bound, *[""] * len(rats))
    return t


def ranking(job):
    """
    The servers of C{job}, best first: by throughput; or, when the load
    generator bound any of them (its throughput is then a lower bound, and
    throughputs do not compare), by the server's CPU per operation, least
    first. C{None} for a scenario without throughput (idle).

    @return: a dict: C{by} (the row ranked by), C{order} (labels, best
        first), C{values} (label to figure), C{bound} (the labels bound by
        the load generator); servers without the figure are left out.
    """
    scenario = job["spec"]["scenario"]
    if scenario not in THROUGHPUT:
        return None
    live = {label: f for label, f in job["results"].items() if not f.get("skipped")}
    bound = [label for label, f in live.items() if boundByLoad(f)]
    if bound:
        by, key, best = "server CPU µs/op", "server_cpu_us_per_op", min
    else:
        by, key, best = THROUGHPUT[scenario], "per_second", max
    values = {label: f.get(key) for label, f in live.items() if f.get(key) is not None}
    order = sorted(values, key=lambda label: values[label], reverse=best is max)
    return {"by": by, "order": order, "values": values, "bound": bound}


def rankingLine(job):
    """
    The ranking of C{job} in one line, or C{None}.
    """
    rank = ranking(job)
    if not rank or len(rank["order"]) < 2:
        return None
    pattern = "{:.1f}" if rank["by"] in _CPU_ROWS else "{:,.0f}"
    listed = ", ".join(f"{label} {pattern.format(rank['values'][label])}" for label in rank["order"])
    if rank["bound"]:
        operation = OPERATION[job["spec"]["scenario"]]
        return (f"ranking by server CPU µs per {operation}, least first ({BOUND} for "
                f"{', '.join(rank['bound'])}: {THROUGHPUT[job['spec']['scenario']]} is only a lower bound): {listed}")
    return f"ranking by {rank['by']}: {listed}"


def notes(job):
    """
    The lines under a table: what bound a figure, skipped runs, failures, the ranking.
    """
    lines = []
    for label, figures in job["results"].items():
        if figures.get("skipped"):
            lines.append(f"{label}: skipped: {figures['skipped']}")
            continue
        cpu, resolution = figures.get("server_cpu_s"), figures.get("server_cpu_resolution_s")
        if cpu is not None and figures.get("operations") and figures.get("server_cpu_us_per_op") is None:
            lines.append(f"{label}: server CPU µs/op left out: {cpu * 1000:.0f} ms of CPU read on a clock of "
                         f"{(resolution or 0) * 1000:g} ms resolution")
        verdict = figures.get("saturation") or {}
        if boundByLoad(figures):
            lines.append(f"[red]{label}: {verdict['note']}[/red]")
        if figures.get("failed"):
            lines.append(f"{label}: {figures['failed']} clients failed: {figures['states']}"
                         + (f"; first unexpected line: {figures['first_unexpected']!r}"
                            if figures.get("first_unexpected") else ""))
    line = rankingLine(job)
    if line:
        lines.append(line)
    return lines


def document(config, jobs, baseline):
    """
    The JSON document: configuration, every job's figures, the ratios.
    """
    return {
        "schema": SCHEMA,
        "tool": "tpreactor-bench",
        "config": config,
        "baseline": baseline,
        "jobs": [dict(job, ratios=ratios(job, baseline), ranking=ranking(job)) for job in jobs],
    }


def writeJson(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False, default=str)
        f.write("\n")
