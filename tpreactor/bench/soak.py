# -*- test-case-name: tests.test_bench_soak -*-
"""
A bounded soak run: many clients churning and flooding a real server over
loopback for a fixed time; reports the server's memory at start and end and
how many replies were lost (there must be none).
"""

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

LISTENING = re.compile(rb"(?:escuchando en|listening on) 127\.0\.0\.1:(\d+)")
STARTUP_SECONDS = 20.0


@dataclass
class Tally:
    """
    What the clients saw: every message sent must have had its reply.
    """

    sessions: int = 0
    sent: int = 0
    replied: int = 0
    goodbyes: int = 0
    errors: list = field(default_factory=list)

    @property
    def lost(self):
        return self.sent - self.replied


async def _session(host, port, messages, tally, flood):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        welcome = await reader.readline()
        if not welcome.startswith(b"Servidor: Conexi"):
            raise ValueError(f"unexpected welcome {welcome[:60]!r}")
        if flood:  # everything at once, then read it all back
            writer.write(b"y\n" * messages)
            tally.sent += messages
            for _ in range(messages):
                if (await reader.readline()).startswith(b"Mensaje Recibido"):
                    tally.replied += 1
        else:
            for i in range(messages):
                writer.write(b"mensaje %d\n" % i)
                tally.sent += 1
                if (await reader.readline()).startswith(b"Mensaje Recibido"):
                    tally.replied += 1
        writer.write(b"salir\n")
        if (await reader.readline()).startswith(b"Servidor: Conexi\xc3\xb3n finalizada"):
            tally.goodbyes += 1
        tally.sessions += 1
    finally:
        writer.close()


async def _client(host, port, deadline, tally, messages, flood):
    while time.monotonic() < deadline:
        try:
            await asyncio.wait_for(_session(host, port, messages, tally, flood), 30)
        except (OSError, ValueError, asyncio.TimeoutError) as e:
            tally.errors.append(f"{type(e).__name__}: {e}")
            if len(tally.errors) > 100:
                return


async def _drive(host, port, seconds, churners, flooders, floodSize):
    tally = Tally()
    deadline = time.monotonic() + seconds
    clients = [_client(host, port, deadline, tally, 3, False) for _ in range(churners)]
    clients += [_client(host, port, deadline, tally, floodSize, True) for _ in range(flooders)]
    await asyncio.gather(*clients)
    return tally


def _rss(pid):
    import psutil

    return psutil.Process(pid).memory_info().rss


def startServer(args, logPath):
    """
    `twistd -n tpreactor --quiet` on a free loopback port, logging to
    C{logPath} (a pipe nobody reads would fill and block the server);
    returns (process, port).
    """
    twistd = str(Path(sys.executable).with_name("twistd"))
    proc = subprocess.Popen(
        [twistd, "--pidfile=", f"--logfile={logPath}", "-n", "tpreactor", "--quiet",
         "--listen", "tcp:0:interface=127.0.0.1", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    end = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < end and proc.poll() is None:
        match = LISTENING.search(Path(logPath).read_bytes()) if os.path.exists(logPath) else None
        if match:
            return proc, int(match.group(1))
        time.sleep(0.05)
    proc.kill()
    seen = Path(logPath).read_text(errors="replace") if os.path.exists(logPath) else ""
    raise SystemExit(f"tpreactor-soak: the server did not start:\n{seen}")


def soak(seconds, churners, flooders, floodSize, serverArgs):
    with tempfile.TemporaryDirectory() as tmp:
        logPath = os.path.join(tmp, "server.log")
        result = _soak(seconds, churners, flooders, floodSize, serverArgs, logPath)
        result["tracebacksInLog"] = Path(logPath).read_text(errors="replace").count("Traceback")
    return result


def _soak(seconds, churners, flooders, floodSize, serverArgs, logPath):
    proc, port = startServer(serverArgs, logPath)
    try:
        warmup = asyncio.run(_drive("127.0.0.1", port, min(2.0, seconds / 5), churners, flooders, floodSize))
        before = _rss(proc.pid)
        tally = asyncio.run(_drive("127.0.0.1", port, seconds, churners, flooders, floodSize))
        after = _rss(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {
        "seconds": seconds, "churners": churners, "flooders": flooders, "floodSize": floodSize,
        "serverArgs": serverArgs, "warmupSessions": warmup.sessions,
        "rssStartBytes": before, "rssEndBytes": after,
        "rssGrowthPercent": round(100.0 * (after - before) / before, 1),
        **{k: v for k, v in asdict(tally).items() if k != "errors"},
        "lostReplies": tally.lost, "errors": tally.errors[:10], "errorCount": len(tally.errors),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tpreactor.bench.soak", description=__doc__.strip())
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--churners", type=int, default=50, help="clients that connect, talk, leave, again")
    parser.add_argument("--flooders", type=int, default=10, help="clients that send a burst and read it back")
    parser.add_argument("--flood-size", type=int, default=2000, help="messages in each burst")
    parser.add_argument("server", nargs="*", help="extra server options, after --, e.g. -- --work 0.001")
    args = parser.parse_args(argv)
    result = soak(args.seconds, args.churners, args.flooders, args.flood_size, args.server)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    clean = result["lostReplies"] == 0 and result["errorCount"] == 0 and result["tracebacksInLog"] == 0
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
