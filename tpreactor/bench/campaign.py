# -*- test-case-name: tests.test_bench -*-
"""Runs every job against every server, interleaved, repeated, keeping the median run."""

from .runner import measure
from .scenarios import makeSpec

#: Clients of the unmeasured session run against each server first (its
#: first welcome pays for imports and caches).
WARM_UP_CLIENTS = 4


def skipReason(server, spec):
    """
    Why C{spec} means nothing for C{server}, or C{None}.
    """
    if spec["scenario"] == "idle" and server.settings.get("mode") == "serial":
        return "serial mode welcomes one client at a time; nothing to hold"
    return None


def median(runs):
    """
    The run with the median makespan, with every run's makespan and rate
    attached under C{repeats}.
    """
    ordered = sorted(runs, key=lambda f: f["makespan_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["repeats"] = [{"makespan_s": f["makespan_s"], "per_second": f["per_second"]} for f in runs]
    return chosen


def runCampaign(pool, servers, jobs, context, repeat=1, timeout=120.0, progress=None, report=print):
    """
    Start every server, warm each up, then for each repetition and job run
    it against each server in turn (so a slow spell of the machine hits
    all of them alike), keep the median run per server, stop the servers.

    Fills C{job["results"][label]}; returns how many servers failed to start.
    """
    failed = 0
    live = []
    runs = {}
    tick = progress or (lambda description, advance=0: None)
    try:
        for server in servers:
            tick(f"{server.label}: starting")
            try:
                server.start()
                pool.run(makeSpec("welcome", clients=WARM_UP_CLIENTS, messages=1, timeout=timeout),
                         server.host, server.port)
            except RuntimeError as e:
                report(f"[red]{e}[/red]")
                failed += 1
                for job in jobs:
                    job["results"][server.label] = {"skipped": "the server did not start"}
                tick(f"{server.label}: failed", len(jobs) * repeat)
                continue
            live.append(server)
        for round in range(repeat):
            for j, job in enumerate(jobs):
                for server in live:
                    suffix = f" (run {round + 1}/{repeat})" if repeat > 1 else ""
                    tick(f"{server.label}: {job['name']}{suffix}")
                    reason = skipReason(server, job["spec"])
                    if reason:
                        job["results"][server.label] = {"skipped": reason}
                    else:
                        runs.setdefault((j, server.label), []).append(measure(pool, server, job["spec"], context))
                    tick("", 1)
    finally:
        for server in servers:
            server.stop()
    for (j, label), measured in runs.items():
        jobs[j]["results"][label] = median(measured)
    for job in jobs:
        job["results"] = {s.label: job["results"][s.label] for s in servers if s.label in job["results"]}
    return failed
