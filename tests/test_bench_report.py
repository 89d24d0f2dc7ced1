"""
Tests for L{tpreactor.bench.report}: the chat table shows the wait for
one's turn beside the reply latency and says what each measures; a CPU
figure left out for a coarse clock is explained.
"""

from twisted.trial.unittest import SynchronousTestCase

try:
    import hdrh  # noqa: F401
    import rich  # noqa: F401
except ImportError:
    skipReason = "needs tpreactor[bench]"
else:
    skipReason = None
    from rich.console import Console

    from tpreactor.bench import histogram, report, scenarios


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
    console = Console(width=200, record=True)
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
