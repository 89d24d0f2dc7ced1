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


def verdict(loadUtilisations, serverUtilisation):
    """
    Whether the figures measure the server, given the utilisation of each
    load process and of the server's reactor process (C{None} if unknown).

    The figures are not valid when a load process was saturated while the
    server was not (or the server's CPU use is unknown): the load generator
    then limited the figures, not the server.
    """
    busiest = max(loadUtilisations, default=0.0)
    loadSaturated = busiest >= SATURATED
    serverSaturated = None if serverUtilisation is None else serverUtilisation >= SATURATED
    valid = not loadSaturated or bool(serverSaturated)
    if not loadSaturated:
        note = f"load generator not saturated (busiest process {busiest:.0%} of a core)"
    elif serverSaturated:
        note = f"load generator saturated ({busiest:.0%}) but so is the server ({serverUtilisation:.0%})"
    elif serverSaturated is None:
        note = f"load generator saturated ({busiest:.0%}) and the server's CPU is unknown: not valid"
    else:
        note = (
            f"load generator saturated ({busiest:.0%} of a core) while the server is not "
            f"({serverUtilisation:.0%}): figures limited by the load generator, ratio not valid"
        )
    return {
        "load_busiest": busiest,
        "load_saturated": loadSaturated,
        "server_saturated": serverSaturated,
        "valid": valid,
        "note": note,
    }
