# -*- test-case-name: tests.test_bench_cpu,tests.test_bench -*-
"""The servers under test (started by the bench or targets), and their CPU time and memory via psutil."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import psutil

from .twistd import tpreactorArgs

LISTENING = re.compile(r"(?:escuchando en|listening on) (\S+):(\d+)")
#: With --workers N, each worker's line once it accepts (both languages).
WORKER_READY = re.compile(r"\[w\d+\] (?:Proceso trabajador listo|Worker process ready)")
START_SECONDS = 30.0
STOP_SECONDS = 10.0

_LINUX = sys.platform.startswith("linux")
#: The resolution of a process's CPU clock on Linux, in seconds.
NS_CLOCK_RESOLUTION = 1e-9
#: Of psutil's CPU times: clock ticks on Linux, microseconds (or better) elsewhere.
PSUTIL_RESOLUTION = 1.0 / os.sysconf("SC_CLK_TCK") if _LINUX else 1e-6
_CPUCLOCK_SCHED = 2


def freePort(host="127.0.0.1"):
    """
    A TCP port on C{host} that nothing listens on right now.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def referenceArgs(kind, port):
    return [sys.executable, "-m", "tpreactor.bench.reference", kind, "--port", str(port)]


class Server:
    """
    A server under test: where it listens and, when known, its process.

    @ivar label: the column it gets in the table.
    @ivar kind: C{mode}, C{reference} or C{target}.
    @ivar settings: what it was started with (mode, work, ...), for the JSON.
    """

    def __init__(self, label, kind, host, port, pid=None, settings=None, args=None, workers=1):
        self.label = label
        self.workers = workers
        self.kind = kind
        self.host = host
        self.port = port
        self.pid = pid
        self.settings = settings or {}
        self.args = args
        self.proc = None
        self.logPath = None

    def describe(self):
        return {
            "label": self.label,
            "kind": self.kind,
            "host": self.host,
            "port": self.port,
            "pid": self.pid,
            "args": self.args,
            **self.settings,
        }

    def start(self):
        """
        Start our process and wait for its startup line.
        """
        if self.args is None:
            return self
        log = tempfile.NamedTemporaryFile(prefix=f"tpreactor-bench-{self.label.replace('/', '-')}-",
                                          suffix=".log", delete=False)
        self.logPath = log.name
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, env=env)
        log.close()
        self.pid = self.proc.pid
        deadline = time.monotonic() + START_SECONDS
        while True:
            text = self.output()
            if LISTENING.search(text) and len(WORKER_READY.findall(text)) >= (self.workers if self.workers > 1 else 0):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label}: server exited ({self.proc.returncode}) before listening:\n"
                                   + text[-2000:])
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.label}: no startup line within {START_SECONDS:g}s:\n" + text[-2000:])
            time.sleep(0.05)

    def output(self):
        if not self.logPath:
            return ""
        with open(self.logPath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """
        Stop our process (SIGTERM, then SIGKILL) and remove its log.
        """
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.logPath:
            try:
                os.unlink(self.logPath)
            except OSError:
                pass
            self.logPath = None

    def process(self):
        if self.pid is None:
            return None
        try:
            return psutil.Process(self.pid)
        except psutil.Error:
            return None

    def cpuTimes(self):
        """
        CPU seconds by pid for the server and its child processes (the
        worker processes of C{processes} mode), or C{None} if unknown; see
        L{processCpu} for the clock and its resolution.
        """
        proc = self.process()
        if proc is None:
            return None
        out = CpuSample()
        try:
            # With --workers N the workers, the main process's children, run the reactors.
            out.reactors = [c.pid for c in proc.children()] if self.workers > 1 else [proc.pid]
            for p in [proc, *proc.children(recursive=True)]:
                seconds, resolution = processCpu(p)
                if seconds is not None:
                    out[p.pid] = seconds
                    out.resolution = max(out.resolution, resolution)
        except psutil.Error:
            return None
        return out

    def rss(self):
        proc = self.process()
        if proc is None:
            return None
        try:
            return proc.memory_info().rss
        except psutil.Error:
            return None


class CpuSample(dict):
    """
    CPU seconds by pid, the coarsest clock resolution among them (seconds),
    and the pids of the processes that run a reactor (C{None}: the main one).
    """

    resolution = 0.0
    reactors = None


def processCpu(process):
    """
    The CPU seconds a process has used (all its threads, those gone too),
    and the resolution of that figure: C{(seconds, resolution)}, or
    C{(None, None)} if unknown.

    Linux gives every process a CPU clock with nanosecond resolution
    (C{clock_getcpuclockid}), readable for any process we can see; psutil's
    C{cpu_times} counts in clock ticks there (10 ms), too coarse for a run
    of a few seconds.  Elsewhere psutil's figure is used, with its resolution.
    """
    if _LINUX:
        try:
            return time.clock_gettime_ns(processClockId(process.pid)) / 1e9, NS_CLOCK_RESOLUTION
        except (OSError, OverflowError):
            pass
    try:
        t = process.cpu_times()
    except psutil.Error:
        return None, None
    return t.user + t.system, PSUTIL_RESOLUTION


def processClockId(pid):
    """
    The clock id of the CPU clock of process C{pid}: what glibc's
    C{clock_getcpuclockid} returns (C{MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)}).
    """
    return ((~pid) << 3) | _CPUCLOCK_SCHED


def cpuResolution(before, after):
    """
    The resolution of a difference of two L{Server.cpuTimes} samples, in
    seconds (C{None} if unknown).
    """
    if before is None or after is None:
        return None
    return max(before.resolution, after.resolution)


def cpuDelta(before, after, mainPid):
    """
    CPU seconds used between two L{Server.cpuTimes} samples: the whole tree
    and the busiest reactor process (the main process, or with workers the
    busiest worker) alone (C{None, None} if unknown).
    """
    if before is None or after is None:
        return None, None
    total = sum(t - before.get(pid, 0.0) for pid, t in after.items())
    reactors = getattr(after, "reactors", None) or [mainPid]
    main = max(after.get(pid, 0.0) - before.get(pid, 0.0) for pid in reactors)
    return total, main


def modeServer(mode, label=None, host="127.0.0.1", work=0.0, workKind="sleep", threads=None, processes=None,
               backlog=None, logger=None, quiet=False, workers=None):
    """
    A tpreactor server of C{mode}; C{workers} is its C{--workers} (C{None}:
    not given), and the server counts as started once every worker accepts.
    """
    port = freePort(host)
    label = label or mode
    settings = {"mode": mode, "work": work, "work_kind": workKind, "threads": threads,
                "processes": processes if mode == "processes" else None, "logger": logger or "default",
                "quiet": quiet, "workers": workers or 1}
    return Server(label, "mode", host, port, settings=settings, workers=workers or 1,
                  args=tpreactorArgs(mode, port, work, workKind, threads, processes, backlog, logger, quiet,
                                     workers))


def referenceServer(kind, host="127.0.0.1"):
    port = freePort(host)
    return Server(kind, "reference", host, port, settings={"mode": None, "reference": kind, "work": 0.0},
                  args=referenceArgs(kind, port))


def parseTarget(text):
    """
    C{LABEL=HOST:PORT} (an IPv6 host in brackets) as C{(label, host, port)}.
    """
    label, sep, address = text.partition("=")
    host, _, port = address.rpartition(":")
    if not sep or not label or not host or not port.isdigit():
        raise ValueError(f"--target wants LABEL=HOST:PORT, not {text!r}")
    return label, host.strip("[]"), int(port)


def listeningPid(host, port):
    """
    The pid of the local process listening on C{host:port}, if we may see it.
    """
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
                if c.laddr.ip in (host, "0.0.0.0", "::"):
                    return c.pid
    except (psutil.Error, OSError):
        return None
    return None


def targetServer(text):
    label, host, port = parseTarget(text)
    return Server(label, "target", host, port, pid=listeningPid(host, port), settings={"mode": None})
