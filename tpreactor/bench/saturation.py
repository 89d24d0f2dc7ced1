# -*- test-case-name: tests.test_bench_cpu,tests.test_bench -*-
"""Is the load generator the bottleneck? CPU use of both sides and the verdict on a ratio's validity."""

#: A process using this share of one core or more is saturated.
SATURATED = 0.9
#: The largest relative error a CPU figure per operation may have; a
#: coarser one is left out ("n/a").
MAX_CPU_ERROR = 0.05


def utilisation(cpuSeconds, wallSeconds):
    """
    CPU seconds per wall second (1.0 is one core fully busy).
    """
    if cpuSeconds is None or not wallSeconds:
        return None
    return cpuSeconds / wallSeconds


def perOperation(cpuSeconds, operations, resolution=None):
    """
    CPU microseconds per operation, or C{None} when unknown or when
    C{cpuSeconds}, measured with a clock of C{resolution} seconds, is too
    few of its ticks to be worth a figure (see L{precise}).
    """
    if cpuSeconds is None or not operations or not precise(cpuSeconds, resolution):
        return None
    return cpuSeconds * 1e6 / operations


def precise(cpuSeconds, resolution):
    """
    Whether a CPU time measured as the difference of two readings of a
    clock of C{resolution} seconds (C{None}: exact) is within
    L{MAX_CPU_ERROR} of the truth: each reading may be up to one tick late.
    """
    if not resolution:
        return True
    return cpuSeconds >= resolution / MAX_CPU_ERROR


def verdict(loadUtilisations, serverUtilisation, cores=None, serverTreeUtilisation=None):
    """
    Whether the figures measure the server or the load generator, given the
    utilisation of each load process, of the server's reactor process
    (C{None} if unknown) and of its whole process tree, on C{cores} cores.

    The load generator is at its limit when one of its processes used
    L{SATURATED} of a core or more (a process runs on one core at a time),
    or when it and the server together used L{SATURATED} of the machine's
    cores (the load generator's share was taken from the server). If the
    server's reactor process was not saturated meanwhile, the figures are
    I{bound by the load generator}: the server went as fast as it was
    driven, so its throughput is only a lower bound for it, and servers are
    better compared by their CPU per operation. (C{valid} is the opposite,
    kept for the readers of older JSON.)
    """
    busiest = max(loadUtilisations, default=0.0)
    loadTotal = sum(loadUtilisations)
    processSaturated = busiest >= SATURATED
    machineUsed = None
    coresFull = False
    if cores and serverTreeUtilisation is not None:
        machineUsed = loadTotal + serverTreeUtilisation
        coresFull = machineUsed >= SATURATED * cores
    loadSaturated = processSaturated or coresFull
    serverSaturated = None if serverUtilisation is None else serverUtilisation >= SATURATED
    bound = loadSaturated and not serverSaturated
    if processSaturated:
        limit = f"busiest load process {busiest:.0%} of a core"
    elif coresFull:
        limit = f"load generator and server together {machineUsed:.1f} of {cores} cores"
    else:
        limit = None
    if not loadSaturated:
        note = f"load generator not saturated (busiest process {busiest:.0%} of a core)"
    elif serverSaturated:
        note = f"load generator at its limit ({limit}) but so is the server ({serverUtilisation:.0%})"
    elif serverSaturated is None:
        note = f"{BOUND}: {LOWER_BOUND} ({limit}; the server's CPU is unknown)"
    else:
        note = f"{BOUND}: {LOWER_BOUND} ({limit}; the server's reactor {serverUtilisation:.0%} of a core)"
    return {
        "load_busiest": busiest,
        "load_total": loadTotal,
        "machine_used": machineUsed,
        "cores": cores,
        "load_saturated": loadSaturated,
        "server_saturated": serverSaturated,
        "bound_by_load": bound,
        "valid": not bound,
        "note": note,
    }


#: What a figure bound by the load generator is called, beside it and under the table.
BOUND = "bound by the load generator"
LOWER_BOUND = "a lower bound for this server"


def boundByLoad(figures):
    """
    Whether the load generator bound C{figures} (one server's run).
    """
    verdict = figures.get("saturation") or {}
    if "bound_by_load" in verdict:
        return bool(verdict["bound_by_load"])
    return not verdict.get("valid", True)
