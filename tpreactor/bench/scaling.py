# -*- test-case-name: tests.test_bench_scaling -*-
"""
How throughput scales with C{--workers}, from C{tpreactor-bench --workers
1,2 --json} runs: the measured speed-up of each count over one worker, and
what a CPU model predicts from the run's own CPU figures, as a table and
a picture.

    python -m tpreactor.bench.scaling chat.json churn.json --plot scaling.png

The model: an operation costs the server C{s} CPU seconds and the load
generator C{l}, both on the same C{C} cores. With W workers the server can
use at most W cores (X <= W / s), everything together at most C cores
(X <= C / (s + l)), and the load generator's busiest process one core
(X <= P / l for P load processes). Throughput is the least of the three.
"""

import argparse
import json
import sys


def modelRate(serverCpu, loadCpu, cores, workers, loadProcesses=1):
    """
    Operations per second the CPU model allows (CPU times in seconds per operation).
    """
    return min(workers / serverCpu, cores / (serverCpu + loadCpu), loadProcesses / loadCpu)


def rows(docs):
    """
    One row per job and server of the runs C{docs}: its workers, its rate,
    its speed-up over one worker measured and modelled (from the one-worker
    run's CPU per operation, which is the server's own cost).
    """
    out = []
    for doc in docs:
        config = doc["config"]
        workers = {s["label"]: s.get("workers") or 1 for s in config["servers"]}
        for job in doc["jobs"]:
            results = job["results"]
            one = [label for label in results if workers.get(label) == 1]
            base = results[one[0]] if one else None
            for label, figures in results.items():
                row = {"job": job["name"], "label": label, "workers": workers.get(label, 1),
                       "per_second": figures.get("per_second"), "speedup": None, "model": None}
                if base and base.get("per_second") and figures.get("per_second"):
                    row["speedup"] = figures["per_second"] / base["per_second"]
                    s, lo = base.get("server_cpu_us_per_op"), base.get("load_cpu_us_per_op")
                    if s and lo:
                        rate = modelRate(s, lo, config["cores"], row["workers"], config.get("load_processes", 1))
                        row["model"] = rate / modelRate(s, lo, config["cores"], 1, config.get("load_processes", 1))
                out.append(row)
    return out


def table(found):
    """
    The rows as a Markdown table.
    """
    lines = ["| job | server | workers | per second | speed-up | model |", "|---|---|---:|---:|---:|---:|"]
    for r in found:
        def fmt(value, spec, unit=""):
            return "n/a" if value is None else format(value, spec) + unit

        lines.append(f"| {r['job']} | {r['label']} | {r['workers']} | {fmt(r['per_second'], ',.0f')} | "
                     f"{fmt(r['speedup'], '.2f', '×')} | {fmt(r['model'], '.2f', '×')} |")
    return "\n".join(lines)


def writePlot(path, found):
    """
    Measured and modelled speed-up per job and worker count, against the
    ideal (as many times as workers).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in found if r["speedup"] is not None and r["workers"] > 1]
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    names = [f"{r['job'].split(',')[0]}\n--workers {r['workers']}" for r in shown]
    positions = range(len(shown))
    ax.bar([p - 0.2 for p in positions], [r["speedup"] for r in shown], 0.4, label="measured")
    ax.bar([p + 0.2 for p in positions], [r["model"] or 0 for r in shown], 0.4, label="CPU model")
    ax.scatter(list(positions), [r["workers"] for r in shown], marker="_", s=800, color="black",
               label="ideal (× workers)", zorder=3)
    ax.set_xticks(list(positions))
    ax.set_xticklabels(names, fontsize=10)
    ax.set_ylim(0, max([r["workers"] for r in shown] + [1]) * 1.25)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_ylabel("throughput ÷ one worker's")
    ax.set_title("Scaling with --workers (same machine for server and load)")
    ax.legend(loc="upper center", ncol=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tpreactor.bench.scaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="JSON files of tpreactor-bench --workers ... --json")
    parser.add_argument("--plot", metavar="FILE.png", help="write the picture (needs matplotlib)")
    args = parser.parse_args(argv)
    docs = []
    for path in args.runs:
        with open(path, encoding="utf-8") as f:
            docs.append(json.load(f))
    found = rows(docs)
    print(table(found))
    if args.plot:
        writePlot(args.plot, found)
        print(f"plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
