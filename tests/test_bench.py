"""
Unit tests of tpreactor-bench: scenario accounting, the histograms, the
saturation verdict, the report and its JSON, the command line.
"""

import asyncio
import contextlib
import io
import json
import socket
import sys
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

from .support import approx, temporaryFolder

#: The bench's own dependencies (the `bench` extra); without them these tests skip.
if [m for m in ("rich", "hdrh", "psutil", "matplotlib") if find_spec(m) is None]:
    skip = "needs tpreactor[bench]"
else:
    from tpreactor.bench import campaign, cli, deps, histogram, loadgen, plot, reference, report, saturation, scenarios
    from tpreactor.bench.servers import modeServer, parseTarget, tpreactorArgs


def record(index, status, start, welcome, end, replies=0):
    return (index, status, start, welcome, end, replies)


def result(clients, t0, t1, cpu=0.1, latencies=(), unexpected=None):
    h = histogram.newHistogram()
    for seconds in latencies:
        histogram.record(h, seconds)
    return {"clients": clients, "hist": histogram.encode(h), "t0": t0, "t1": t1, "cpu": cpu,
            "first_unexpected": unexpected}


# -- scenarios -------------------------------------------------------------------


class ScenarioTests(SynchronousTestCase):
    def test_unknownScenario(self):
        """
        An unknown scenario is refused with the list of the known ones.
        """
        with self.assertRaisesRegex(ValueError, "choose one of welcome, chat, churn, idle"):
            scenarios.makeSpec("dance")

    def test_shareSplitsClientsAndSlots(self):
        """
        Each load process gets a disjoint share of the clients, the sessions and the waiting slots.
        """
        spec = scenarios.makeSpec("chat", clients=10, messages=2, maxWaiting=5)
        parts = [scenarios.share(spec, w, 3) for w in range(3)]
        assert sorted(i for p in parts for i in p["indexes"]) == list(range(10))
        assert [p["max_waiting"] for p in parts] == [2, 2, 2]
        churn = scenarios.makeSpec("churn", connections=11, inFlight=4)
        parts = [scenarios.share(churn, w, 3) for w in range(3)]
        assert [p["connections"] for p in parts] == [4, 4, 3]
        assert [p["first_index"] for p in parts] == [0, 4, 8]
        assert sum(p["in_flight"] for p in parts) == 4

    def test_accountChat(self):
        """
        The accounting counts states, replies, welcome times, rates and load CPU from the raw records.
        """
        spec = scenarios.makeSpec("chat", clients=3, messages=2)
        results = [
            result([record(0, scenarios.OK, 10.0, 10.1, 10.5, 2), record(2, scenarios.OK, 10.0, 10.2, 10.6, 2)],
                   10.0, 11.0, cpu=0.5, latencies=[0.001, 0.002, 0.003, 0.004]),
            result([record(1, scenarios.HUNG, 10.0, None, 12.0, 0)], 10.0, 12.0, cpu=0.2, unexpected="x"),
        ]
        f = scenarios.account(spec, results)
        assert f["clients"] == 3
        assert f["completed"] == 2
        assert f["hung"] == 1
        assert f["failed"] == 1
        assert f["welcomed"] == 2
        assert f["replies"] == f["operations"] == 4
        assert f["makespan_s"] == approx(2.0)
        assert f["per_second"] == approx(2.0)
        assert f["welcome_ms"][0] == approx(100.0)
        assert f["welcome_ms"][1] is None
        assert f["welcome_ms"][2] == approx(200.0)
        assert f["latency"]["count"] == 4
        assert f["load_cpu_s"] == approx(0.7)
        assert [p["utilisation"] for p in f["load"]] == [approx(0.5), approx(0.1)]
        assert f["first_unexpected"] == "x"
        assert f["states"] == {"hung": 1, "ok": 2}

    def test_accountOperationsPerScenario(self):
        """
        An operation is a completed session in welcome and churn, a welcomed client in idle.
        """
        clients = [record(0, scenarios.OK, 0.0, 0.1, 0.2), record(1, scenarios.HELD, 0.0, 0.1, 0.3),
                   record(2, scenarios.REFUSED, 0.0, None, 0.1)]
        for name, ops in (("welcome", 1), ("churn", 1), ("idle", 2)):
            f = scenarios.account(scenarios.makeSpec(name, clients=3, connections=3), [result(clients, 0.0, 1.0)])
            assert f["operations"] == ops, name
            assert f["failed"] == 1

    def test_staircaseSlope(self):
        """
        The staircase slope is the least-squares ms per client, zero when flat.
        """
        assert scenarios.staircaseSlope([0.0, 5.0, 10.0, 15.0]) == approx(5.0)
        assert scenarios.staircaseSlope([3.0, 3.0, None, 3.0]) == approx(0.0)
        assert scenarios.staircaseSlope([1.0]) is None

    def test_idealMakespan(self):
        """
        The ideal makespan follows each mode's parallelism for sleep and CPU work.
        """
        spec = scenarios.makeSpec("chat", clients=50, messages=10)
        ideal = scenarios.idealMakespan
        assert ideal(spec, "reactor", 0.01, "sleep", 50, None, 2) == approx(0.1)
        assert ideal(spec, "reactor", 0.01, "sleep", 10, None, 2) == approx(0.5)
        assert ideal(spec, "serial", 0.01, "sleep", 50, None, 2) == approx(5.0)
        assert ideal(spec, "reactor", 0.01, "cpu", 50, None, 2) == approx(5.0)
        assert ideal(spec, "processes", 0.01, "cpu", 50, 4, 2) == approx(2.5)
        assert ideal(spec, "processes", 0.01, "sleep", 50, None, 2) == approx(2.5)
        assert ideal(spec, "reactor", 0.0, "sleep", 50, None, 2) is None
        assert ideal(spec, None, 0.01, "sleep", 50, None, 2) is None

    def test_describe(self):
        """
        A job is named by its scenario and sizes.
        """
        assert scenarios.describe(scenarios.makeSpec("chat", clients=100, messages=200)) == "chat 100×200"
        burst = scenarios.makeSpec("welcome", clients=5000, maxWaiting=1000, label="burst")
        assert scenarios.describe(burst) == "burst 5000 clients, ≤1000 waiting"


# -- histograms ------------------------------------------------------------------------


class HistogramTests(SynchronousTestCase):
    def test_histogramMergeAndSummary(self):
        """
        Histograms from several processes merge into exact percentiles and a monotonic CDF.
        """
        a, b = histogram.newHistogram(), histogram.newHistogram()
        for ms in range(1, 501):
            histogram.record(a, ms / 1000.0)
        for ms in range(501, 1001):
            histogram.record(b, ms / 1000.0)
        merged = histogram.merge([histogram.encode(a), histogram.encode(b), None])
        s = histogram.summary(merged)
        assert s["count"] == 1000
        assert s["p50_ms"] == approx(500.0, rel=0.002)
        assert s["p90_ms"] == approx(900.0, rel=0.002)
        assert s["p99_ms"] == approx(990.0, rel=0.002)
        assert s["max_ms"] == approx(1000.0, rel=0.002)
        points = histogram.cdf(merged)
        assert points[-1][1] == 1.0
        assert all(p[0] <= q[0] and p[1] <= q[1] for p, q in zip(points, points[1:]))

    def test_histogramEmptyAndClamped(self):
        """
        An empty histogram has no percentiles; out-of-range values are clamped, not lost.
        """
        h = histogram.newHistogram()
        assert histogram.summary(h)["p99_ms"] is None
        histogram.record(h, 0.0)
        histogram.record(h, 1e9)
        assert h.get_total_count() == 2


# -- saturation ----------------------------------------------------------------------------


class SaturationTests(SynchronousTestCase):
    def test_saturationVerdicts(self):
        """
        A ratio is valid unless the load generator saturated while the server did not.
        """
        ok = saturation.verdict([0.3, 0.5], 0.95)
        assert ok["valid"] and not ok["load_saturated"] and ok["load_busiest"] == 0.5
        limited = saturation.verdict([0.97], 0.4)
        assert not limited["valid"] and limited["load_saturated"] and limited["server_saturated"] is False
        assert limited["bound_by_load"]
        assert "bound by the load generator: a lower bound for this server" in limited["note"]
        both = saturation.verdict([0.97], 0.99)
        assert both["valid"] and both["server_saturated"]
        unknown = saturation.verdict([0.95], None)
        assert not unknown["valid"] and unknown["server_saturated"] is None

    def test_coresFull(self):
        """
        Load processes none of which fills a core still bind the figures when
        they and the server together fill the machine's cores and the
        server's reactor does not fill its own.
        """
        full = saturation.verdict([0.6, 0.5], 0.8, cores=2, serverTreeUtilisation=0.8)
        assert full["bound_by_load"] and full["machine_used"] == approx(1.9)
        assert "together 1.9 of 2 cores" in full["note"]
        room = saturation.verdict([0.6, 0.5], 0.5, cores=2, serverTreeUtilisation=0.5)
        assert not room["bound_by_load"] and room["valid"]
        busyServer = saturation.verdict([0.6, 0.5], 0.95, cores=2, serverTreeUtilisation=0.95)
        assert not busyServer["bound_by_load"]

    def test_boundByLoadReadsOldVerdicts(self):
        """
        A run's figures say whether the load generator bound them, in this
        verdict's words or in the older C{valid} alone.
        """
        assert saturation.boundByLoad({"saturation": saturation.verdict([0.95], 0.3)})
        assert not saturation.boundByLoad({"saturation": saturation.verdict([0.2], 0.3)})
        assert saturation.boundByLoad({"saturation": {"valid": False}})
        assert not saturation.boundByLoad({})

    def test_perOperationAndUtilisation(self):
        """
        CPU per operation and utilisation are unknown, not zero, without data.
        """
        assert saturation.perOperation(0.5, 1000) == approx(500.0)
        assert saturation.perOperation(None, 1000) is None
        assert saturation.perOperation(0.5, 0) is None
        assert saturation.utilisation(0.5, 2.0) == 0.25
        assert saturation.utilisation(None, 2.0) is None


# -- report and JSON -------------------------------------------------------------------


def figures(makespan, valid=True, server=0.5):
    spec = scenarios.makeSpec("chat", clients=1, messages=2)
    f = scenarios.account(spec, [result([record(0, scenarios.OK, 0.0, 0.01, makespan, 2)], 0.0, makespan,
                                        latencies=[0.001, 0.002])])
    f.update(server_cpu_s=server, server_utilisation=server, server_cpu_us_per_op=1.0, load_cpu_us_per_op=2.0,
             ideal_makespan_s=None,
             saturation={"valid": valid, "load_busiest": 0.5, "note": "limited by the load generator"})
    return f


def job(**results):
    spec = scenarios.makeSpec("chat", clients=1, messages=2)
    return {"name": scenarios.describe(spec), "spec": spec, "results": results}


class ReportTests(SynchronousTestCase):
    def test_ratiosAgainstBaseline(self):
        """
        Ratios are taken against the baseline, skip skipped runs and carry validity.
        """
        j = job(reactor=figures(1.0), twisted=figures(2.0), slow=figures(4.0, valid=False),
                off={"skipped": "not applicable"})
        r = report.ratios(j, "twisted")
        assert set(r) == {"reactor", "slow"}
        assert r["reactor"]["replies/s"] == approx(2.0)
        assert r["reactor"]["makespan s"] == approx(0.5)
        assert r["reactor"]["valid"] and not r["slow"]["valid"]
        assert report.ratios(j, "nobody") == {}

    def test_tableAndNotes(self):
        """
        The table shows the ratio columns, flags invalid ratios and notes the saturation.
        """
        from rich.console import Console

        j = job(reactor=figures(1.0), twisted=figures(2.0, valid=False))
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(report.table(j, "reactor"))
        text = console.export_text()
        assert "twisted ÷ reactor" in text
        assert "0.50× (load-bound)" in text
        assert "replies/s" in text and "latency p99 ms" in text
        assert any("limited by the load generator" in line for line in report.notes(j))

    def test_jsonDocument(self):
        """
        The JSON holds the configuration, every figure and the ratios.
        """
        tmp_path = Path(temporaryFolder(self))
        args = cli.makeParser().parse_args(["chat", "--clients", "1", "--messages", "2"])
        config = report.configuration(args, [], 1, "uvloop")
        doc = report.document(config, [job(reactor=figures(1.0), serial=figures(3.0))], "reactor")
        path = tmp_path / "bench.json"
        report.writeJson(path, doc)
        loaded = json.loads(path.read_text(encoding="utf-8"))
        assert loaded["schema"] == report.SCHEMA
        assert loaded["baseline"] == "reactor"
        for key in ("argv", "options", "servers", "load_processes", "load_event_loop", "cores", "python", "versions"):
            assert key in loaded["config"], key
        assert loaded["config"]["options"]["clients"] == [1]
        assert set(loaded["config"]["versions"]) >= {"tpreactor", "twisted", "hdrhistogram", "psutil"}
        (entry,) = loaded["jobs"]
        assert set(entry) == {"name", "spec", "results", "ratios", "ranking"}
        assert entry["ranking"]["order"] == ["reactor", "serial"]
        for key in ("makespan_s", "per_second", "latency", "welcome_ms", "load", "saturation", "states"):
            assert key in entry["results"]["serial"], key
        assert entry["ratios"]["serial"]["makespan s"] == approx(3.0)


# -- plots ---------------------------------------------------------------------------------


class PlotTests(SynchronousTestCase):
    def test_plotPanels(self):
        """
        The plot draws the panels there is data for into a PNG.
        """
        tmp_path = Path(temporaryFolder(self))
        welcome = {"name": "welcome", "spec": scenarios.makeSpec("welcome", clients=2, messages=1),
                   "results": {"reactor": dict(figures(1.0), welcome_ms=[1.0, 1.0]),
                               "serial": dict(figures(1.0), welcome_ms=[1.0, 5.0])}}
        small = job(reactor=figures(1.0), serial=dict(figures(2.0), ideal_makespan_s=1.5))
        big = dict(job(reactor=figures(2.0)), spec=scenarios.makeSpec("chat", clients=5, messages=2))
        assert plot.panels([small]) == ["ideal", "cdf"]
        assert plot.panels([welcome, small, big]) == ["welcome", "makespan", "cdf"]
        path = tmp_path / "bench.png"
        assert plot.writePlot(str(path), [welcome, small, big]) == ["welcome", "makespan", "cdf"]
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- command line ---------------------------------------------------------------------------


class CommandLineTests(SynchronousTestCase):
    def test_missingDependencyIsOneLine(self):
        """
        A missing bench dependency is one line naming the extra to install.
        """
        self.patch(cli, "REQUIRED", {"tpreactor_no_such_module": "no-such-dist"})
        self.patch(sys, "stderr", io.StringIO())
        assert cli.main(["chat"]) == 2
        err = sys.stderr.getvalue()
        assert err.strip().splitlines() == ["tpreactor-bench needs no-such-dist: pip install 'tpreactor[bench]'"]
        assert deps.missingLine([]) is None

    def test_optionsBeforeOrAfterScenario(self):
        """
        Common options are accepted before and after the scenario name.
        """
        parser = cli.makeParser()
        a = parser.parse_args(["--modes", "reactor,processes", "chat", "--work", "0.01", "--work-kind", "sleep,cpu"])
        assert a.modes == ["reactor", "processes"] and a.work == 0.01 and a.work_kind == ["sleep", "cpu"]
        b = parser.parse_args(["chat", "--clients", "10,20", "--reference", "twisted", "--target", "x=127.0.0.1:1"])
        assert b.clients == [10, 20] and b.reference == ["twisted"] and b.target == ["x=127.0.0.1:1"]
        assert parser.parse_args(["--modes", "", "idle"]).modes == []
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()) as said:
            parser.parse_args(["--modes", "threads"])
        self.assertIn("unknown threads", said.getvalue())

    def test_jobsPerScenario(self):
        """
        Each scenario makes its jobs; --burst makes the two standard bursts.
        """
        parser = cli.makeParser()
        quick = cli.makeJobs(parser.parse_args([]))
        assert [j["scenario"] for j in quick] == ["welcome", "chat", "chat"]
        burst = cli.makeJobs(parser.parse_args(["welcome", "--burst"]))
        assert [(j["clients"], j["max_waiting"], j["messages"]) for j in burst] == [(1000, 1000, 0), (5000, 1000, 0)]
        (churn,) = cli.makeJobs(parser.parse_args(["churn", "--connections", "30", "--in-flight", "3"]))
        assert (churn["connections"], churn["in_flight"]) == (30, 3)

    def test_medianRunIsKept(self):
        """
        Of repeated runs the median by makespan is kept, with all runs listed.
        """
        runs = [dict(figures(m), makespan_s=m) for m in (3.0, 1.0, 2.0)]
        chosen = campaign.median(runs)
        assert chosen["makespan_s"] == 2.0
        assert [r["makespan_s"] for r in chosen["repeats"]] == [3.0, 1.0, 2.0]

    def test_skipIdleInSerialMode(self):
        """
        The idle scenario is skipped in serial mode only.
        """
        idle = scenarios.makeSpec("idle", clients=3)
        assert campaign.skipReason(modeServer("serial"), idle)
        assert campaign.skipReason(modeServer("reactor"), idle) is None
        assert campaign.skipReason(modeServer("serial"), scenarios.makeSpec("chat", clients=1)) is None

    def test_serversForModesAndKinds(self):
        """
        One server per mode and work kind, then the references.
        """
        args = cli.makeParser().parse_args(["chat", "--modes", "reactor,serial", "--work-kind", "sleep,cpu",
                                            "--work", "0.01", "--reference", "asyncio"])
        labels = [s.label for s in cli.makeServers(args)]
        assert labels == ["reactor/sleep", "reactor/sleep quiet", "reactor/cpu", "reactor/cpu quiet",
                          "serial/sleep", "serial/sleep quiet", "serial/cpu", "serial/cpu quiet", "asyncio"]

    def test_tpreactorArgs(self):
        """
        The twistd command line passes the mode's options, --processes only to processes mode.
        """
        args = tpreactorArgs("processes", 1234, work=0.5, workKind="cpu", threads=3, processes=2)
        assert args[args.index("--mode") + 1] == "processes"
        assert args[args.index("--processes") + 1] == "2"
        assert args[args.index("--work-kind") + 1] == "cpu"
        assert "--processes" not in tpreactorArgs("reactor", 1234, processes=2)

    def test_tpreactorArgsDefaultCommand(self):
        """
        By default the servers run the command a user types: no --logger,
        no --quiet; a logger asked for goes to twistd (before the plugin's
        name), and --quiet to the plugin.
        """
        args = tpreactorArgs("reactor", 1234)
        assert not [a for a in args if a.startswith("--logger") or a == "--quiet"]
        args = tpreactorArgs("reactor", 1234, logger="tpreactor.logs.console.observer", quiet=True)
        assert args.index("--logger=tpreactor.logs.console.observer") < args.index("tpreactor") < args.index("--quiet")
        parsed = cli.makeParser().parse_args(["chat", "--server-logger", "", "--modes", "reactor"])
        assert cli.makeServers(parsed)[0].settings["logger"] == "default"

    def test_variants(self):
        """
        A scenario runs each mode as the default command and quiet, side by
        side; the quick run the default command alone; --variants chooses.
        """
        parsed = cli.makeParser().parse_args(["churn", "--modes", "reactor", "--reference", "twisted"])
        servers = cli.makeServers(parsed)
        assert [s.label for s in servers] == ["reactor", "reactor quiet", "twisted"]
        assert "--quiet" not in servers[0].args and "--quiet" in servers[1].args
        assert [s.label for s in cli.makeServers(cli.makeParser().parse_args(["--modes", "reactor"]))] == ["reactor"]
        parsed = cli.makeParser().parse_args(["chat", "--modes", "reactor", "--variants", "twistdlog"])
        [server] = cli.makeServers(parsed)
        assert server.label == "reactor twistdlog"
        assert "--logger=tpreactor.logs.twistd.twistdObserver" in server.args

    def test_parseTarget(self):
        """
        Targets are LABEL=HOST:PORT, IPv6 hosts in brackets.
        """
        assert parseTarget("mine=127.0.0.1:6667") == ("mine", "127.0.0.1", 6667)
        assert parseTarget("six=[::1]:6667") == ("six", "::1", 6667)
        for bad in ("127.0.0.1:6667", "x=127.0.0.1", "x=:6667"):
            with self.assertRaisesRegex(ValueError, "LABEL=HOST:PORT"):
                parseTarget(bad)

    def test_referenceDate(self):
        """
        The reference servers write the contract's Spanish date.
        """
        assert reference.fecha(datetime(2024, 5, 13, 15, 5)) == "13 de mayo a las 15:05 hs"


# -- the load generator's clients against in-process servers ---------------------------


async def _serve(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _runLoad(spec, handler):
    async def go():
        server, port = await _serve(handler)
        async with server:
            return await loadgen.runJob(scenarios.share(spec, 0, 1), "127.0.0.1", port)
    return asyncio.run(go())


async def _courseServer(reader, writer):
    writer.write("Servidor: Conexión establecida el hoy. Puedes enviar mensajes al servidor.\n".encode())
    while True:
        line = await reader.readline()
        if not line or line.strip() == b"salir":
            writer.write("Servidor: Conexión finalizada. Tiempo total de conexión: 0:00:01\n".encode())
            break
        writer.write(b"Mensaje Recibido el hoy. Tiempo transcurrido desde la conexi\xc3\xb3n: 0:00:01\n")
    await writer.drain()
    writer.close()


class LoadClientTests(SynchronousTestCase):
    def test_loadClientsCountRepliesAndGoodbyes(self):
        """
        Load clients send their messages one at a time and end with a goodbye.
        """
        spec = scenarios.makeSpec("chat", clients=3, messages=4, timeout=30)
        raw = _runLoad(spec, _courseServer)
        f = scenarios.account(spec, [raw])
        assert f["completed"] == 3 and f["replies"] == 12 and f["latency"]["count"] == 12
        assert f["welcomed"] == 3 and f["failed"] == 0

    def test_loadClientsReportUnexpectedLines(self):
        """
        A refusal instead of a welcome is counted and its text kept.
        """
        async def full(reader, writer):
            writer.write("Servidor: Servidor lleno, intente más tarde.\n".encode())
            await writer.drain()
            writer.close()

        spec = scenarios.makeSpec("welcome", clients=2, messages=1, timeout=30)
        f = scenarios.account(spec, [_runLoad(spec, full)])
        assert f["states"] == {"unexpected": 2}
        assert f["first_unexpected"] == "Servidor: Servidor lleno, intente más tarde."

    def test_loadClientsCountRefusals(self):
        """
        Refused connections are counted, not hung.
        """
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            spec = scenarios.makeSpec("churn", connections=3, inFlight=2, timeout=30)

            async def go():
                return await loadgen.runJob(scenarios.share(spec, 0, 1), "127.0.0.1", port)

            f = scenarios.account(spec, [asyncio.run(go())])
        assert f["states"] == {"refused": 3}

    def test_loadClientsHoldIdleConnections(self):
        """
        Idle clients stay after their welcome and count as held.
        """
        spec = scenarios.makeSpec("idle", clients=4, timeout=30)
        closed = []

        async def holdOpen(reader, writer):
            writer.write("Servidor: Conexión establecida el hoy. Puedes enviar mensajes al servidor.\n".encode())
            closed.append(await reader.read())
            writer.close()

        f = scenarios.account(spec, [_runLoad(spec, holdOpen)])
        assert f["states"] == {"held": 4} and f["welcomed"] == f["operations"] == 4
