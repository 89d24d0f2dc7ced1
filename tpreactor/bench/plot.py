# -*- test-case-name: tests.test_bench -*-
"""The plots (matplotlib, Agg): time to welcome per client, makespan against N or the ideal, latency CDF."""


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
        ax.plot(xs, [values[i] for i in xs], ".", markersize=3, label=label)
    ax.set_title(f"time to welcome ({job['name']})", fontsize=9)
    ax.set_xlabel("client index (order of connection)")
    ax.set_ylabel("connect → welcome (ms)")


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
            ax.plot([n for n, _ in ideal], [v for _, v in ideal], "--", color=line.get_color(), alpha=0.6)
    ax.set_title("chat makespan against N (dashed: ideal)", fontsize=9)
    ax.set_xlabel("clients (N)")
    ax.set_ylabel("makespan (s)")


def plotIdeal(ax, jobs):
    names, made, ideal = [], [], []
    for job in _chatJobs(jobs):
        for label, f in _active(job):
            names.append(label)
            made.append(f["makespan_s"])
            ideal.append(f.get("ideal_makespan_s") or 0.0)
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], made, 0.4, label="makespan")
    ax.bar([x + 0.2 for x in xs], ideal, 0.4, label="ideal")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_title("chat makespan against the ideal", fontsize=9)
    ax.set_ylabel("seconds (log)")


def plotCdf(ax, jobs):
    chats = _chatJobs(jobs)
    biggest = max(j["spec"]["clients"] * j["spec"]["messages"] for j in chats)
    chats = [j for j in chats if j["spec"]["clients"] * j["spec"]["messages"] == biggest]
    for job in chats:
        for label, f in _active(job):
            points = f.get("latency_cdf") or []
            if points:
                ax.step([p[0] for p in points], [p[1] for p in points], where="post",
                        label=label if len(chats) == 1 else f"{label} {job['name']}")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlibTicker().FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(matplotlibTicker().NullFormatter())
    ax.set_title("reply latency CDF (largest chat)", fontsize=9)
    ax.set_xlabel("latency (ms, log)")
    ax.set_ylabel("fraction of replies")


def matplotlibTicker():
    import matplotlib.ticker

    return matplotlib.ticker


def writePlot(path, jobs):
    """
    Write the panels there is data for into one PNG at C{path}; return
    their names.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = panels(jobs)
    if not names:
        return names
    fig, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 3.6), dpi=80, squeeze=False)
    for ax, name in zip(axes[0], names):
        if name == "welcome":
            plotWelcome(ax, _welcomeJob(jobs))
        elif name == "makespan":
            plotMakespan(ax, jobs)
        elif name == "ideal":
            plotIdeal(ax, jobs)
        else:
            plotCdf(ax, jobs)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return names
