# -*- test-case-name: tests.test_bench -*-
"""The scenarios: what each asks of the load processes, and the accounting of their raw records."""

from collections import Counter

from . import histogram

#: Every scenario, in the order a table shows them.
SCENARIOS = ("welcome", "chat", "churn", "idle")

#: What one operation is in each scenario, for "CPU µs per operation".
OPERATION = {"welcome": "client", "chat": "message", "churn": "connection", "idle": "connection"}

#: Final states of a client.
OK, HELD, REFUSED, CLOSED, UNEXPECTED, HUNG = "ok", "held", "refused", "closed", "unexpected", "hung"

DEFAULT_MAX_WAITING = 1000
DEFAULT_TIMEOUT = 120.0


def makeSpec(scenario, clients=0, messages=0, connections=0, inFlight=0,
             maxWaiting=DEFAULT_MAX_WAITING, timeout=DEFAULT_TIMEOUT, label=None):
    """
    One job for the load processes, as a plain dict (picklable and JSON-able).

    C{welcome}: C{clients} connect at once (at most C{maxWaiting} waiting for
    their welcome at a time), each sends C{messages} messages then C{salir}.
    C{chat}: the same, C{messages} one at a time per client.
    C{churn}: C{connections} sessions of connect, welcome, salir, goodbye,
    close, C{inFlight} at a time.
    C{idle}: C{clients} connect and stay until all are welcomed.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    spec = {
        "scenario": scenario,
        "clients": clients,
        "messages": messages,
        "connections": connections,
        "in_flight": inFlight,
        "max_waiting": maxWaiting,
        "timeout": timeout,
    }
    if label:
        spec["label"] = label
    return spec


def describe(spec):
    """
    A short name for the size of a job, e.g. C{chat 100×200}.
    """
    s = spec["scenario"]
    if s == "chat":
        size = f"{spec['clients']}×{spec['messages']}"
    elif s == "churn":
        size = f"{spec['connections']} conns, {spec['in_flight']} in flight"
    elif s == "welcome":
        size = f"{spec['clients']} clients"
        if spec["messages"]:
            size += f"×{spec['messages']} msgs"
        if spec["max_waiting"] and spec["max_waiting"] < spec["clients"]:
            size += f", ≤{spec['max_waiting']} waiting"
    else:
        size = f"{spec['clients']} clients"
    return f"{spec.get('label') or s} {size}"


def share(spec, worker, workers):
    """
    The part of C{spec} that load process C{worker} of C{workers} runs: the
    client indexes C{worker, worker + workers, ...} and its share of the
    in-flight slots.
    """
    part = dict(spec)
    if spec["scenario"] == "churn":
        total = spec["connections"]
        part["connections"] = total // workers + (1 if worker < total % workers else 0)
        slots = spec["in_flight"]
        part["in_flight"] = max(1, slots // workers + (1 if worker < slots % workers else 0))
        part["first_index"] = sum(total // workers + (1 if w < total % workers else 0) for w in range(worker))
    else:
        part["indexes"] = list(range(worker, spec["clients"], workers))
    waiting = spec["max_waiting"] or 0
    part["max_waiting"] = max(1, -(-waiting // workers)) if waiting else 0
    return part


def idealMakespan(spec, mode, work, workKind, threads, processes, cores):
    """
    The shortest makespan the mode's design allows for the work alone:
    each client's messages one after the other, spread over as many as can
    run side by side (one in serial mode; the threads for sleep work and one
    for CPU work in reactor mode, the GIL; the worker processes, at most the
    cores for CPU work, in processes mode). C{None} without work or mode.
    """
    if not work or mode is None or spec["scenario"] not in ("chat", "welcome"):
        return None
    n, m = spec["clients"], spec["messages"]
    if not n or not m:
        return None
    if mode == "serial":
        parallel = 1
    elif mode == "reactor":
        parallel = threads if workKind == "sleep" else 1
    elif mode == "processes":
        pool = processes or cores
        parallel = pool if workKind == "sleep" else min(pool, cores)
    else:
        return None
    return max(m * work, n * m * work / max(1, parallel))


def account(spec, results):
    """
    The figures for one job from the results of every load process.

    Each result holds C{clients} (tuples of index, final state, start,
    welcome and end times on the shared monotonic clock, replies), C{hist}
    (an encoded latency histogram), C{t0}/C{t1} (the process's measured
    window), C{cpu} (its CPU seconds in that window) and C{first_unexpected}.
    """
    records = sorted((c for r in results for c in r["clients"]), key=lambda c: c[0])
    states = Counter(c[1] for c in records)
    welcomed = sum(1 for c in records if c[3] is not None)
    replies = sum(c[5] for c in records)
    t0 = min(r["t0"] for r in results)
    t1 = max(r["t1"] for r in results)
    makespan = max(t1 - t0, 1e-9)
    welcomeMs = [None if c[3] is None else (c[3] - c[2]) * 1000.0 for c in records]
    merged = histogram.merge([r["hist"] for r in results])
    scenario = spec["scenario"]
    if scenario == "chat":
        operations = replies
    elif scenario == "idle":
        operations = welcomed
    else:
        operations = states[OK]
    sessions = [(c[4] - c[2]) for c in records if c[1] == OK and c[4] is not None]
    welcomeValues = sorted(v for v in welcomeMs if v is not None)
    load = []
    for r in results:
        wall = max(r["t1"] - r["t0"], 1e-9)
        load.append({"cpu_s": r["cpu"], "wall_s": wall, "utilisation": r["cpu"] / wall})
    unexpected = next((r["first_unexpected"] for r in results if r.get("first_unexpected")), None)
    return {
        "scenario": scenario,
        "spec": spec,
        "clients": len(records),
        "states": dict(sorted(states.items())),
        "welcomed": welcomed,
        "completed": states[OK],
        "hung": states[HUNG],
        "failed": len(records) - states[OK] - states[HELD],
        "replies": replies,
        "operations": operations,
        "operation": OPERATION[scenario],
        "makespan_s": makespan,
        "per_second": operations / makespan,
        "latency": histogram.summary(merged),
        "latency_cdf": histogram.cdf(merged) if merged.get_total_count() else [],
        "welcome_ms": welcomeMs,
        "welcome": {
            "p50_ms": _quantile(welcomeValues, 0.5),
            "p90_ms": _quantile(welcomeValues, 0.9),
            "max_ms": welcomeValues[-1] if welcomeValues else None,
            "slope_ms_per_client": staircaseSlope(welcomeMs),
        },
        "session_mean_ms": (sum(sessions) / len(sessions) * 1000.0) if sessions else None,
        "load": load,
        "load_cpu_s": sum(p["cpu_s"] for p in load),
        "first_unexpected": unexpected,
    }


def _quantile(sortedValues, q):
    if not sortedValues:
        return None
    return sortedValues[min(len(sortedValues) - 1, int(q * len(sortedValues)))]


def staircaseSlope(values):
    """
    The least-squares slope of time-to-welcome against client index (ms per
    client): about the length of one session when clients wait their turn,
    about zero when all are welcomed at once.
    """
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(i for i, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((i - mx) ** 2 for i, _ in points)
    if not sxx:
        return None
    return sum((i - mx) * (v - my) for i, v in points) / sxx
