"""
Tests for L{tpreactor.bench.plot}: a student can read every panel (type
size, labelled ticks on every axis, a caption saying what to look at), and
the latency panel shows the wait for one's turn beside the reply latency.
"""

import textwrap

from twisted.trial.unittest import SynchronousTestCase

try:
    import hdrh  # noqa: F401
    import matplotlib  # noqa: F401
except ImportError:
    skipReason = "needs tpreactor[bench]"
else:
    skipReason = None
    from tpreactor.bench import histogram, plot, scenarios

#: The smallest type a panel may use, in points.
SMALLEST_POINTS = 10


def chatFigures(clients, messages, welcomeMs, latencies, ideal=None):
    """
    The figures of one chat run: C{welcomeMs} per client, the reply C{latencies} in seconds.
    """
    spec = scenarios.makeSpec("chat", clients=clients, messages=messages)
    hist = histogram.newHistogram()
    for seconds in latencies:
        histogram.record(hist, seconds)
    records = [(i, scenarios.OK, 0.0, ms / 1000.0, 1.0, messages) for i, ms in enumerate(welcomeMs)]
    raw = {"clients": records, "hist": histogram.encode(hist), "t0": 0.0, "t1": 1.0, "cpu": 0.1,
           "first_unexpected": None}
    figures = scenarios.account(spec, [raw])
    figures["ideal_makespan_s"] = ideal
    return figures


def chatJob(clients, messages, **results):
    spec = scenarios.makeSpec("chat", clients=clients, messages=messages)
    return {"name": scenarios.describe(spec), "spec": spec, "results": results}


def welcomeJob():
    spec = scenarios.makeSpec("welcome", clients=4, messages=1)
    reactor = chatFigures(4, 1, [2.0, 2.1, 2.0, 2.2], [0.005] * 4)
    serial = chatFigures(4, 1, [2.0, 7.0, 12.0, 17.0], [0.005] * 4)
    return {"name": scenarios.describe(spec), "spec": spec, "results": {"reactor": reactor, "serial": serial}}


def quickJobs():
    """
    The quick run's jobs: a welcome, and two chats with narrow latency ranges.
    """
    small = chatJob(2, 2, reactor=chatFigures(2, 2, [2.0, 2.1], [0.0053, 0.0061, 0.0066, 0.0068], 0.01),
                    serial=chatFigures(2, 2, [1.5, 12.0], [0.0053, 0.0054, 0.0055, 0.0058], 0.02))
    big = chatJob(4, 2, reactor=chatFigures(4, 2, [2.0] * 4, [0.006] * 8, 0.01),
                  serial=chatFigures(4, 2, [1.5, 12.0, 23.0, 34.0], [0.0053] * 8, 0.04))
    return [welcomeJob(), small, big]


def idealJobs():
    """
    One chat size: the makespan panel becomes makespan against the ideal.
    """
    return [chatJob(2, 2, reactor=chatFigures(2, 2, [2.0, 2.1], [0.005] * 4, 0.5),
                    serial=chatFigures(2, 2, [1.5, 12.0], [0.005] * 4, 1.5))]


class PanelTests(SynchronousTestCase):
    """
    Every panel of the plot is readable on its own.
    """

    skip = skipReason

    def figure(self, jobs):
        import matplotlib.pyplot as plt

        fig, names = plot.makeFigure(jobs)
        self.addCleanup(plt.close, fig)
        fig.canvas.draw()
        return fig, names

    def panelAxes(self, fig):
        return [ax for ax in fig.axes if ax.axison]

    def test_readableType(self):
        """
        No text in the figure is smaller than L{SMALLEST_POINTS}.
        """
        from matplotlib.text import Text

        for jobs in (quickJobs(), idealJobs()):
            fig, _ = self.figure(jobs)
            small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
                     if t.get_text().strip() and t.get_visible() and t.get_fontsize() < SMALLEST_POINTS]
            self.assertEqual(small, [])

    def test_labelledTicksOnEveryAxis(self):
        """
        Every axis of every panel has at least two labelled ticks, even for a narrow range on a log scale.
        """
        for jobs in (quickJobs(), idealJobs()):
            fig, names = self.figure(jobs)
            axes = self.panelAxes(fig)
            self.assertEqual(len(axes), len(names))
            for name, ax in zip(names, axes):
                for which, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
                    texts = [t.get_text() for t in labels if t.get_text().strip()]
                    self.assertGreaterEqual(len(texts), 2, f"{name}: {which} axis labels {texts}")
                self.assertTrue(ax.get_xlabel() or name == "ideal", name)
                self.assertTrue(ax.get_ylabel(), name)

    def test_captionUnderEveryPanel(self):
        """
        Each panel has its caption saying what to look at.
        """
        for jobs in (quickJobs(), idealJobs()):
            fig, names = self.figure(jobs)
            captions = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts}
            for name in names:
                self.assertEqual(captions[f"caption-{name}"], textwrap.fill(plot.CAPTIONS[name], plot.CAPTION_WIDTH))

    def test_latencyShowsTheWaitForOnesTurn(self):
        """
        The latency panel draws the wait for one's turn (connect → welcome) beside each reply latency.
        """
        fig, names = self.figure(quickJobs())
        ax = self.panelAxes(fig)[names.index("cdf")]
        lines = {line.get_gid(): line for line in ax.get_lines()}
        for server in ("reactor", "serial"):
            reply, wait = lines[f"reply {server}"], lines[f"wait {server}"]
            self.assertEqual((reply.get_linestyle(), wait.get_linestyle()), ("-", "--"))
            self.assertEqual(reply.get_color(), wait.get_color())
        self.assertIn("leaves out", plot.CAPTIONS["cdf"])
