# -*- test-case-name: tests.test_bench -*-
"""The C{tpreactor-bench} command line: which servers, which scenario, what to print and write."""

import argparse
import os
import sys

from .deps import FOR_PLOT, REQUIRED, missing, missingLine
from .servermodes import MODES
from .twistd import SERVER_LOGGER, VARIANTS

REFERENCES = ("twisted", "asyncio")
WORK_KINDS = ("sleep", "cpu")
QUICK_WORK = 0.005
BURSTS = ((1000, 1000), (5000, 1000))
#: Columns of the table when stdout is not a terminal (a file, a pipe).
WIDE_OUTPUT = 240

EPILOG = """\
With no scenario: a quick run (welcome 30 clients and chat 10,20 clients
x 10 messages, --work 0.005 unless given) against reactor and serial mode.
Examples:
  tpreactor-bench chat --clients 100 --messages 200 --reference twisted,asyncio --baseline twisted
  tpreactor-bench welcome --burst
  tpreactor-bench chat --modes reactor,serial,processes --work 0.002 --work-kind sleep,cpu --plot chat.png
  tpreactor-bench churn --target mine=127.0.0.1:6667
  tpreactor-bench chat --clients 1000 --messages 20 --modes reactor --workers 1,2
"""


def _list(choices=None):
    def parse(text):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if choices:
            wrong = [t for t in items if t not in choices]
            if wrong:
                raise argparse.ArgumentTypeError(f"unknown {', '.join(wrong)}; choose from {', '.join(choices)}")
        return items
    return parse


def _ints(text):
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"want comma-separated numbers, not {text!r}") from None
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError("want numbers greater than 0")
    return values


def _addCommon(parser, suppress):
    def d(value):
        return argparse.SUPPRESS if suppress else value

    g = parser.add_argument_group("servers and load")
    g.add_argument("--modes", type=_list(MODES), default=d(["reactor", "serial"]),
                   help="tpreactor modes to start, comma-separated (default reactor,serial; '' for none)")
    g.add_argument("--work", type=float, default=d(None),
                   help=f"--work SECONDS for the tpreactor servers (default 0; {QUICK_WORK} in the quick run)")
    g.add_argument("--work-kind", type=_list(WORK_KINDS), default=d(["sleep"]),
                   help="--work-kind for the servers, comma-separated: one column per mode and kind")
    g.add_argument("--threads", type=int, default=d(None), help="--threads for the servers")
    g.add_argument("--processes", type=int, default=d(None), help="--processes for processes mode")
    g.add_argument("--backlog", type=int, default=d(None), help="--backlog for the servers")
    g.add_argument("--variants", type=_list(VARIANTS), default=d(None),
                   help="the command each mode runs with, comma-separated: default (what a user types: "
                        "twistd -n tpreactor), quiet (--quiet), twistdlog (twistd's own log observer); "
                        "default: default,quiet (default alone in the quick run)")
    g.add_argument("--workers", type=_ints, default=d(None), metavar="N[,N...]",
                   help="--workers for the servers, comma-separated: one column per mode and count (e.g. 1,2; "
                        "serial mode takes only 1)")
    g.add_argument("--server-logger", default=d(None), metavar="OBSERVER",
                   help=f"twistd --logger for every variant (default: none, twistd's default for tpreactor, "
                        f"its console observer; e.g. {SERVER_LOGGER})")
    g.add_argument("--reference", type=_list(REFERENCES), default=d([]),
                   help="also start bare reference servers: twisted,asyncio")
    g.add_argument("--target", action="append", default=d([]), metavar="LABEL=HOST:PORT",
                   help="also measure a server the bench did not start (repeatable)")
    g.add_argument("--baseline", default=d(None), help="the column ratios are taken against (default: the first)")
    g.add_argument("--load-procs", type=int, default=d(1), help="load generator processes (default 1)")
    g.add_argument("--repeat", type=int, default=d(1),
                   help="run each job this many times, interleaved across servers; report the median (default 1)")
    g.add_argument("--timeout", type=float, default=d(120.0),
                   help="seconds after which a client still not done counts as hung (default 120)")
    g = parser.add_argument_group("output")
    g.add_argument("--json", metavar="FILE", default=d(None), help="write every figure and the configuration")
    g.add_argument("--plot", metavar="FILE.png", default=d(None), help="write the plots (needs matplotlib)")
    g.add_argument("--no-progress", action="store_true", default=d(False), help="no progress on stderr")


def makeParser():
    parser = argparse.ArgumentParser(
        prog="tpreactor-bench", description="Measure tpreactor's modes side by side.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _addCommon(parser, suppress=False)
    sub = parser.add_subparsers(dest="scenario", metavar="SCENARIO")

    p = sub.add_parser("welcome", help="N clients connect at once: time from connect to welcome per client")
    p.add_argument("--clients", type=_ints, default=[100], help="clients, comma-separated sizes (default 100)")
    p.add_argument("--messages", type=int, default=1, help="messages each sends before salir (default 1)")
    p.add_argument("--max-waiting", type=int, default=1000, help="most clients waiting for a welcome at once")
    p.add_argument("--burst", action="store_true",
                   help="the bursts instead: 1000 at once, then 5000 with at most 1000 waiting, no messages")
    _addCommon(p, suppress=True)

    p = sub.add_parser("chat", help="N clients x M messages, one at a time per client")
    p.add_argument("--clients", type=_ints, default=[10, 50, 100], help="clients, comma-separated sizes")
    p.add_argument("--messages", type=int, default=20, help="messages per client (default 20)")
    p.add_argument("--max-waiting", type=int, default=1000, help="most clients waiting for a welcome at once")
    _addCommon(p, suppress=True)

    p = sub.add_parser("churn", help="connect, welcome, salir, goodbye, close; K in flight")
    p.add_argument("--connections", type=int, default=2000, help="sessions in all (default 2000)")
    p.add_argument("--in-flight", type=int, default=50, help="sessions at once (default 50)")
    _addCommon(p, suppress=True)

    p = sub.add_parser("idle", help="hold N idle connections: server RSS per connection")
    p.add_argument("--clients", type=_ints, default=[1000], help="connections to hold (default 1000)")
    p.add_argument("--max-waiting", type=int, default=1000, help="most clients waiting for a welcome at once")
    _addCommon(p, suppress=True)
    return parser


def makeJobs(args):
    """
    The job specs of the chosen scenario (the quick run when none).
    """
    from .scenarios import makeSpec

    t = args.timeout
    s = args.scenario
    if s is None:
        return [makeSpec("welcome", clients=30, messages=1, timeout=t),
                *[makeSpec("chat", clients=n, messages=10, timeout=t) for n in (10, 20)]]
    if s == "welcome" and args.burst:
        return [makeSpec("welcome", clients=n, messages=0, maxWaiting=w, timeout=t, label="burst")
                for n, w in BURSTS]
    if s == "welcome":
        return [makeSpec("welcome", clients=n, messages=args.messages, maxWaiting=args.max_waiting, timeout=t)
                for n in args.clients]
    if s == "chat":
        return [makeSpec("chat", clients=n, messages=args.messages, maxWaiting=args.max_waiting, timeout=t)
                for n in args.clients]
    if s == "churn":
        return [makeSpec("churn", connections=args.connections, inFlight=args.in_flight, timeout=t)]
    return [makeSpec("idle", clients=n, maxWaiting=args.max_waiting, timeout=t) for n in args.clients]


def makeServers(args):
    from .servers import modeServer, referenceServer, targetServer

    work = args.work if args.work is not None else (QUICK_WORK if args.scenario is None else 0.0)
    args.work = work
    kinds = args.work_kind or ["sleep"]
    variants = args.variants or (["default"] if args.scenario is None else ["default", "quiet"])
    counts = args.workers or [None]
    out = []
    for mode in args.modes:
        for kind in kinds:
            for variant in variants:
                for workers in counts:
                    label = mode if len(kinds) == 1 else f"{mode}/{kind}"
                    label = label if variant == "default" else f"{label} {variant}"
                    label = label if len(counts) == 1 else f"{label} w{workers}"
                    options = dict({"logger": args.server_logger or None}, **VARIANTS[variant])
                    out.append(modeServer(mode, label=label, work=work, workKind=kind, threads=args.threads,
                                          processes=args.processes, backlog=args.backlog, workers=workers,
                                          **options))
    out += [referenceServer(kind) for kind in args.reference]
    out += [targetServer(text) for text in args.target]
    return out


def run(args, console, progressConsole):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from . import report
    from .deps import eventLoopName
    from .campaign import runCampaign
    from .runner import LoadPool
    from .scenarios import describe

    try:
        servers = makeServers(args)
    except ValueError as e:
        print(f"tpreactor-bench: {e}", file=sys.stderr)
        return 2
    if not servers:
        print("tpreactor-bench: nothing to measure: give --modes, --reference or --target", file=sys.stderr)
        return 2
    specs = makeJobs(args)
    jobs = [{"name": describe(spec), "spec": spec, "results": {}} for spec in specs]
    baseline = args.baseline or servers[0].label
    context = {"cores": os.cpu_count(), "threads": args.threads}
    pool = LoadPool(max(1, args.load_procs))
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=progressConsole, disable=args.no_progress, transient=True)
    try:
        with progress:
            task = progress.add_task("starting", total=len(servers) * len(jobs) * args.repeat)

            def tick(description, advance=0):
                if description:
                    progress.update(task, description=description)
                if advance:
                    progress.advance(task, advance)

            failed = runCampaign(pool, servers, jobs, context, args.repeat, args.timeout, tick, console.print)
    finally:
        pool.close()
    config = report.configuration(args, servers, pool.size, eventLoopName())
    console.print(f"[bold]tpreactor-bench[/bold]: {config['cores']} cores, Python {config['python']}, "
                  f"load: {pool.size} process(es) on {config['load_event_loop']}, "
                  f"server --work {args.work:g} ({', '.join(args.work_kind)}), "
                  f"console log: {args.server_logger or 'the default (tpreactor observer)'}, "
                  f"ratios against {baseline}")
    for job in jobs:
        console.print(report.table(job, baseline))
        for line in report.notes(job):
            console.print(line)
    if args.json:
        report.writeJson(args.json, report.document(config, jobs, baseline))
        console.print(f"JSON written to {args.json}")
    if args.plot:
        from .plot import writePlot

        names = writePlot(args.plot, jobs)
        console.print(f"plot written to {args.plot} ({', '.join(names) or 'no data to plot'})")
    return 1 if failed else 0


def main(argv=None):
    args = makeParser().parse_args(argv)
    need = dict(REQUIRED, **(FOR_PLOT if args.plot else {}))
    line = missingLine(missing(need))
    if line:
        print(line, file=sys.stderr)
        return 2
    from rich.console import Console

    wide = None if sys.stdout.isatty() else WIDE_OUTPUT
    return run(args, Console(width=wide), Console(stderr=True))
