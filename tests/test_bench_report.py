"""
Tests for L{tpreactor.bench.report}: the chat table shows the wait for
one's turn beside the reply latency and says what each measures; a CPU
figure left out for a coarse clock is explained; a figure bound by the load
generator says so, and the servers are then ranked by their CPU per
operation.
"""

import io

from twisted.trial.unittest import SynchronousTestCase

try:
    import hdrh  # noqa: F401
    import rich  # noqa: F401
except ImportError:
    skipReason = "needs tpreactor[bench]"
else:
    skipReason = None
    from rich.console import Console

    from tpreactor.bench import histogram, report, saturation, scenarios


def chatFigures(welcomeMs, latencySeconds, **extra):
    """
    The figures of a chat run of one message per client.
    """
    spec = scenarios.makeSpec("chat", clients=len(welcomeMs), messages=1)
    hist = histogram.newHistogram()
    for seconds in latencySeconds:
        histogram.record(hist, seconds)
    records = [(i, scenarios.OK, 0.0, ms / 1000.0, 1.0, 1) for i, ms in enumerate(welcomeMs)]
    figures = scenarios.account(spec, [{"clients": records, "hist": histogram.encode(hist), "t0": 0.0,
                                        "t1": 1.0, "cpu": 0.1, "first_unexpected": None}])
    figures.update(server_cpu_s=0.5, server_cpu_resolution_s=1e-9, server_utilisation=0.5,
                   server_cpu_us_per_op=1.0, load_cpu_us_per_op=2.0,
                   saturation={"valid": True, "load_busiest": 0.1, "note": "fine"})
    figures.update(extra)
    return figures


def chatJob():
    """
    Serial: quick replies after a long wait for one's turn; reactor: the reverse.
    """
    spec = scenarios.makeSpec("chat", clients=3, messages=1)
    return {"name": scenarios.describe(spec), "spec": spec, "results": {
        "reactor": chatFigures([2.0, 2.0, 2.0], [0.010, 0.011, 0.012]),
        "serial": chatFigures([2.0, 300.0, 600.0], [0.005, 0.005, 0.005]),
    }}


def rendered(table):
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def rowCells(text, name):
    (line,) = [line for line in text.splitlines() if line.strip().startswith(name + " ")]
    return line.split()[len(name.split()):]


class ChatTableTests(SynchronousTestCase):
    """
    A student reading the chat table sees the wait that reply latency leaves out.
    """

    skip = skipReason

    def test_waitBesideLatency(self):
        """
        The chat table has the connect → welcome rows next to the reply latency rows.
        """
        text = rendered(report.table(chatJob(), "reactor"))
        self.assertEqual(rowCells(text, "to welcome max ms")[:2], ["2.00", "600.00"])
        self.assertEqual(rowCells(text, "to welcome p50 ms")[:2], ["2.00", "300.00"])
        self.assertEqual(rowCells(text, "reply latency p50 ms")[:2], ["11.007", "5.003"])
        names = [name for name, *_ in report.ROWS if "chat" in _[2]]
        self.assertEqual(names.index("reply latency p50 ms"), names.index("to welcome max ms") + 1)

    def test_captionSaysWhatEachMeasures(self):
        """
        Under the chat table, a caption says what each latency measures and that one leaves out the wait.
        """
        text = " ".join(rendered(report.table(chatJob(), "reactor")).split())
        self.assertIn("to welcome: connect → welcome, the wait for one's turn", text)
        self.assertIn("reply latency: a message sent → its reply, counted only after the welcome: it leaves out "
                      "the wait for one's turn", text)
        self.assertIn("CPU µs/op: CPU time per message", text)

    def test_coarseCpuExplained(self):
        """
        A CPU figure left out for a coarse clock says so under the table.
        """
        spec = scenarios.makeSpec("chat", clients=1, messages=1)
        coarse = chatFigures([2.0], [0.005], server_cpu_s=0.04, server_cpu_resolution_s=0.01,
                             server_cpu_us_per_op=None)
        job = {"name": "chat", "spec": spec, "results": {"reactor": coarse}}
        self.assertIn("reactor: server CPU µs/op left out: 40 ms of CPU read on a clock of 10 ms resolution",
                      report.notes(job))
        self.assertIn("n/a", rowCells(rendered(report.table(job, "reactor")), "server CPU µs/op"))


def boundJob():
    """
    Chat against three servers: asyncio and bare Twisted driven by a load
    generator at its limit, tpreactor not.
    """
    spec = scenarios.makeSpec("chat", clients=1, messages=1)

    def run(perSecond, cpu, bound):
        makespan = 1.0 / perSecond
        figures = chatFigures([1.0], [0.001], server_cpu_us_per_op=cpu)
        figures.update(makespan_s=makespan, per_second=perSecond,
                       saturation=saturation.verdict([0.97 if bound else 0.5], 0.6))
        return figures

    return {"name": "chat", "spec": spec, "results": {
        "reactor": run(30000.0, 20.0, False),
        "asyncio": run(40000.0, 17.5, True),
        "twisted": run(35000.0, 26.5, True),
    }}


class BoundByLoadTests(SynchronousTestCase):
    """
    When the load generator ran at its limit, the table says so beside the
    figure and the servers are ranked by CPU per operation.
    """

    skip = skipReason

    def test_lowerBoundBesideTheFigure(self):
        """
        A bound server's throughput reads as a lower bound, and the row under
        it says why; an unbound one reads as measured.
        """
        text = rendered(report.table(boundJob(), "reactor"))
        self.assertEqual(rowCells(text, "replies/s")[:6], ["30,000", "≥", "40,000", "≥", "35,000", "1.33×"])
        bound = " ".join(line for line in text.splitlines() if line.strip().startswith("bound by"))
        self.assertEqual(bound.count("yes: a lower bound for this server"), 2)
        self.assertIn(" no ", bound + " ")

    def test_onlyThroughputRatiosFlagged(self):
        """
        Ratios against a bound server are flagged, except those of CPU per
        operation, which do not depend on how fast it was driven.
        """
        text = rendered(report.table(boundJob(), "reactor"))
        self.assertIn("1.33× (load-bound)", " ".join(rowCells(text, "replies/s")))
        self.assertNotIn("load-bound", " ".join(rowCells(text, "server CPU µs/op")))

    def test_rankedByCpuWhenBound(self):
        """
        With a bound server the ranking is by server CPU per operation,
        least first, and says which servers were bound.
        """
        rank = report.ranking(boundJob())
        self.assertEqual((rank["by"], rank["order"]), ("server CPU µs/op", ["asyncio", "reactor", "twisted"]))
        self.assertEqual(sorted(rank["bound"]), ["asyncio", "twisted"])
        line = report.notes(boundJob())[-1]
        self.assertTrue(line.startswith("ranking by server CPU µs per message, least first (bound by the load "
                                        "generator for asyncio, twisted"), line)
        self.assertIn("asyncio 17.5, reactor 20.0, twisted 26.5", line)
        self.assertTrue(any("asyncio: bound by the load generator: a lower bound for this server" in note
                            for note in report.notes(boundJob())))

    def test_rankedByThroughputOtherwise(self):
        """
        With no server bound the ranking is by throughput, highest first.
        """
        job = boundJob()
        for figures in job["results"].values():
            figures["saturation"] = saturation.verdict([0.5], 0.6)
        rank = report.ranking(job)
        self.assertEqual((rank["by"], rank["order"]), ("replies/s", ["asyncio", "twisted", "reactor"]))
        self.assertEqual(report.notes(job)[-1], "ranking by replies/s: asyncio 40,000, twisted 35,000, reactor 30,000")

    def test_makespansUnaffected(self):
        """
        The comparison of modes reads as before: makespans and their ratios
        carry no lower-bound mark.
        """
        text = rendered(report.table(boundJob(), "reactor"))
        self.assertNotIn("≥", " ".join(rowCells(text, "makespan s")))
        self.assertIsNone(report.ranking({"spec": scenarios.makeSpec("idle", clients=1), "results": {}}))
