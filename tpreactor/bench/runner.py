# -*- test-case-name: tests.test_bench -*-
"""Runs one job against one server: load processes, measured window, server CPU and memory, accounting."""

import multiprocessing
from multiprocessing.connection import wait

from . import saturation, scenarios, worker
from .servers import cpuDelta, cpuResolution

READY_SECONDS = 60.0


class LoadError(RuntimeError):
    pass


class LoadPool:
    """
    The load processes, started once with the C{spawn} method and reused
    for every job.
    """

    def __init__(self, processes):
        ctx = multiprocessing.get_context("spawn")
        self.pipes = []
        self.procs = []
        for _ in range(processes):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker.workerMain, args=(child,), daemon=True,
                               name="tpreactor-bench-load")
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)
        for pipe in self.pipes:
            if not pipe.poll(READY_SECONDS):
                self.close()
                raise LoadError("a load process did not start")
            pipe.recv()

    @property
    def size(self):
        return len(self.procs)

    @property
    def pids(self):
        return [p.pid for p in self.procs]

    def _collect(self, expected, timeout):
        """
        One message of kind C{expected} from every load process.
        """
        got = {}
        while len(got) < len(self.pipes):
            ready = wait([p for p in self.pipes if p not in got], timeout)
            if not ready:
                raise LoadError(f"load processes gave no {expected!r} within {timeout:g}s")
            for pipe in ready:
                try:
                    message = pipe.recv()
                except EOFError:
                    raise LoadError("a load process died") from None
                if message[0] == "failed":
                    raise LoadError(f"a load process failed: {message[1]}")
                if message[0] != expected:
                    raise LoadError(f"a load process said {message[0]!r}, expected {expected!r}")
                got[pipe] = message[1]
        return [got[p] for p in self.pipes]

    def run(self, spec, host, port, onHeld=None):
        """
        Run C{spec} split over the load processes; return their raw results.
        C{onHeld} is called once all idle clients are held, before release.
        """
        for index, pipe in enumerate(self.pipes):
            pipe.send(("job", scenarios.share(spec, index, self.size), host, port))
        timeout = spec["timeout"] + 30.0
        if spec["scenario"] == "idle":
            held = self._collect("held", timeout)
            if onHeld is not None:
                onHeld(sum(held))
            for pipe in self.pipes:
                pipe.send(("release",))
        return self._collect("done", timeout)

    def close(self):
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except OSError:
                pass
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()


def measure(pool, server, spec, context):
    """
    Run C{spec} against C{server} and return the figures: the accounting,
    the server's CPU time (and memory, in the idle scenario) over the
    measured window, CPU µs per operation on both sides, and the verdict
    on the load generator's saturation.

    C{context} gives what the ideal makespan needs: C{work}, C{work_kind},
    C{threads}, C{processes}, C{cores}.
    """
    memory = {}
    if spec["scenario"] == "idle":
        warm = dict(spec, clients=min(spec["clients"], 50))
        pool.run(warm, server.host, server.port)
        memory["rss_before"] = server.rss()

        def onHeld(welcomed):
            memory["rss_held"] = server.rss()
            memory["held"] = welcomed
            memory["cpu_at_held"] = server.cpuTimes()
    else:
        onHeld = None
    before = server.cpuTimes()
    raw = pool.run(spec, server.host, server.port, onHeld)
    after = memory.pop("cpu_at_held", None) or server.cpuTimes()
    figures = scenarios.account(spec, raw)
    serverCpu, serverMain = cpuDelta(before, after, server.pid)
    window = figures["makespan_s"]
    ops = figures["operations"]
    resolution = cpuResolution(before, after)
    figures["server_cpu_s"] = serverCpu
    figures["server_cpu_resolution_s"] = resolution
    figures["server_utilisation"] = saturation.utilisation(serverMain, window)
    figures["server_tree_utilisation"] = saturation.utilisation(serverCpu, window)
    figures["server_cpu_us_per_op"] = saturation.perOperation(serverCpu, ops, resolution)
    figures["load_cpu_us_per_op"] = saturation.perOperation(figures["load_cpu_s"], ops)
    figures["saturation"] = saturation.verdict([p["utilisation"] for p in figures["load"]],
                                               figures["server_utilisation"], context.get("cores"),
                                               figures["server_tree_utilisation"])
    figures["ideal_makespan_s"] = scenarios.idealMakespan(
        spec, server.settings.get("mode"), server.settings.get("work") or 0.0,
        server.settings.get("work_kind", "sleep"), server.settings.get("threads") or context.get("threads") or 10,
        server.settings.get("processes"), context["cores"])
    if memory:
        held = memory.get("held") or 0
        figures["memory"] = dict(memory)
        if held and memory.get("rss_before") is not None and memory.get("rss_held") is not None:
            figures["memory"]["rss_per_connection_bytes"] = (memory["rss_held"] - memory["rss_before"]) / held
    return figures

