# -*- test-case-name: tests.test_bench_plot,tests.test_bench -*-
"""The plots (matplotlib, Agg): time to welcome per client, makespan against N or the ideal, latency CDF."""

import textwrap

#: Type sizes in points: read at a normal distance on a laptop screen.
STYLE = {
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
}
#: Inches per panel (plot and caption), and dots per inch.
PANEL_WIDTH, PANEL_HEIGHT, DPI = 6.0, 6.0, 100
#: The most legend entries drawn inside a panel.
LEGEND_INSIDE = 4
#: Characters per caption line.
CAPTION_WIDTH = 58

#: What to look at in each panel, printed under it.
CAPTIONS = {
    "welcome": "Look at the slope. Serial mode welcomes one client at a time: each waits for every "
               "session before it, a staircase. Reactor mode welcomes all at once: a flat line.",
    "makespan": "Look at the gap to the dashed line, the ideal for the work alone. Serial grows as "
                "clients × messages × work; reactor stays near messages × work while the threads last.",
    "ideal": "Look at each pair of bars: the time the run took (left) against the least its mode's "
             "design allows for the work alone (right). The closer the pair, the nearer the run came "
             "to its mode's best.",
    "cdf": "Solid: a message sent → its reply. Dashed, same colour: connect → welcome, the wait for one's turn, "
           "which the solid line leaves out. Serial's replies are quick because its clients waited "
           "first: compare both.",
}


def _welcomeJob(jobs):
    welcome = [j for j in jobs if j["spec"]["scenario"] == "welcome"]
    return welcome[0] if welcome else None


def _chatJobs(jobs):
    return [j for j in jobs if j["spec"]["scenario"] == "chat"]


def panels(jobs):
    """
    Which panels there is data for, in order.
    """
    out = []
    if _welcomeJob(jobs):
        out.append("welcome")
    chats = _chatJobs(jobs)
    if len({j["spec"]["clients"] for j in chats}) > 1:
        out.append("makespan")
    elif any(f.get("ideal_makespan_s") for j in chats for f in j["results"].values()):
        out.append("ideal")
    if any(f.get("latency_cdf") for j in chats for f in j["results"].values()):
        out.append("cdf")
    return out


def _active(job):
    return [(label, f) for label, f in job["results"].items() if not f.get("skipped")]


def plotWelcome(ax, job):
    for label, f in _active(job):
        values = f["welcome_ms"]
        xs = [i for i, v in enumerate(values) if v is not None]
        ax.plot(xs, [values[i] for i in xs], "o", markersize=4, label=label)
    ax.set_title(f"time to welcome\n({job['name']})")
    ax.set_xlabel("client (in order of connection)")
    ax.set_ylabel("connect → welcome (ms)")
    _integerTicks(ax.xaxis)


def plotMakespan(ax, jobs):
    chats = _chatJobs(jobs)
    labels = []
    for job in chats:
        for label, _ in _active(job):
            if label not in labels:
                labels.append(label)
    for label in labels:
        points = sorted((j["spec"]["clients"], j["results"][label]) for j in chats
                        if label in j["results"] and not j["results"][label].get("skipped"))
        line, = ax.plot([n for n, _ in points], [f["makespan_s"] for _, f in points], "o-", label=label)
        ideal = [(n, f["ideal_makespan_s"]) for n, f in points if f.get("ideal_makespan_s")]
        if ideal:
            ax.plot([n for n, _ in ideal], [v for _, v in ideal], "--", color=line.get_color(), alpha=0.6,
                    label=f"{label}: ideal")
    ax.set_title("chat: makespan against clients\n(dashed: ideal)")
    ax.set_xlabel("clients (N)")
    ax.set_ylabel("makespan (s)")
    ax.set_ylim(bottom=0)
    _integerTicks(ax.xaxis)


def plotIdeal(ax, jobs):
    names, made, ideal = [], [], []
    for job in _chatJobs(jobs):
        for label, f in _active(job):
            names.append(label)
            made.append(f["makespan_s"])
            ideal.append(f.get("ideal_makespan_s") or float("nan"))
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], made, 0.4, label="makespan")
    ax.bar([x + 0.2 for x in xs], ideal, 0.4, label="ideal")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(names, rotation=30, ha="right")
    _valueAxis(ax, "y", [v for v in made + ideal if v == v and v > 0])
    ax.set_title("chat: makespan against the ideal")
    ax.set_ylabel("seconds")


def plotCdf(ax, jobs):
    chats = _chatJobs(jobs)
    biggest = max(j["spec"]["clients"] * j["spec"]["messages"] for j in chats)
    chats = [j for j in chats if j["spec"]["clients"] * j["spec"]["messages"] == biggest]
    values = []
    for job in chats:
        for label, f in _active(job):
            points = f.get("latency_cdf") or []
            name = label if len(chats) == 1 else f"{label} {job['name']}"
            if not points:
                continue
            xs = [p[0] for p in points]
            line, = ax.step(xs[:1] + xs, [0.0] + [p[1] for p in points], where="post", label=name,
                            gid=f"reply {name}")
            values += xs
            waits = sorted(v for v in f.get("welcome_ms") or () if v is not None)
            if waits:
                ax.step(waits[:1] + waits, [0.0] + [(i + 1) / len(waits) for i in range(len(waits))], "--",
                        where="post", color=line.get_color(), label="_wait", gid=f"wait {name}")
                values += waits
    _valueAxis(ax, "x", [v for v in values if v > 0])
    ax.set_ylim(0, 1.02)
    ax.set_title(f"chat: latency CDF\n({chats[0]['name']})")
    ax.set_xlabel("milliseconds")
    ax.set_ylabel("fraction of replies / of clients")


def _legend(ax):
    """
    The legend inside the panel, or beside it when it would hide the data.
    """
    if len(ax.get_legend_handles_labels()[0]) > LEGEND_INSIDE:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        ax.legend()


def _integerTicks(axis):
    axis.set_major_locator(matplotlibTicker().MaxNLocator(integer=True))


def _valueAxis(ax, which, values):
    """
    A linear axis, or a log one when the values span more than a factor of
    ten, labelled at 1, 2 and 5 of each decade (at 1 only past a hundredfold),
    so that every axis has labelled ticks however narrow its range.
    """
    ticker = matplotlibTicker()
    axis = ax.xaxis if which == "x" else ax.yaxis
    if values and max(values) > 10 * min(values):
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        wide = max(values) > 100 * min(values)
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0,) if wide else (1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        axis.set_minor_formatter(ticker.NullFormatter())
    else:
        axis.set_major_locator(ticker.MaxNLocator(nbins=6))


def matplotlibTicker():
    import matplotlib.ticker

    return matplotlib.ticker


def makeFigure(jobs):
    """
    The figure with a panel per name of L{panels}, each with its caption
    underneath, and those names (no figure when there is no data).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = panels(jobs)
    if not names:
        return None, names
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(PANEL_WIDTH * len(names), PANEL_HEIGHT), dpi=DPI)
        grid = fig.add_gridspec(2, len(names), height_ratios=(3.2, 1.0))
        for column, name in enumerate(names):
            ax = fig.add_subplot(grid[0, column])
            if name == "welcome":
                plotWelcome(ax, _welcomeJob(jobs))
            elif name == "makespan":
                plotMakespan(ax, jobs)
            elif name == "ideal":
                plotIdeal(ax, jobs)
            else:
                plotCdf(ax, jobs)
            ax.grid(True, alpha=0.3)
            _legend(ax)
            note = fig.add_subplot(grid[1, column])
            note.axis("off")
            note.text(0.0, 0.85, textwrap.fill(CAPTIONS[name], CAPTION_WIDTH), transform=note.transAxes,
                      va="top", ha="left", fontsize=STYLE["font.size"], gid=f"caption-{name}")
        fig.tight_layout()
    return fig, names


def writePlot(path, jobs):
    """
    Write the panels there is data for into one PNG at C{path}; return
    their names.
    """
    fig, names = makeFigure(jobs)
    if fig is not None:
        import matplotlib.pyplot as plt

        fig.savefig(path)
        plt.close(fig)
    return names
