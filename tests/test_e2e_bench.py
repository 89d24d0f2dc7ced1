"""
tpreactor-bench end to end, at tiny sizes: it starts the real servers (both
modes, the references), runs each scenario, and writes its JSON and plot.
"""

import io
import json
import sys
from importlib.util import find_spec
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

from tests.support import ServerProcess, approx, temporaryFolder

#: The bench's own dependencies (the `bench` extra); without them these tests skip.
if [m for m in ("rich", "hdrh", "psutil", "matplotlib") if find_spec(m) is None]:
    skip = "needs tpreactor[bench]"
else:
    from tpreactor.bench import cli


def bench(tmp_path, *argv):
    """
    Run tpreactor-bench in this process and return its JSON document and
    what it printed.
    """
    path = tmp_path / "bench.json"
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        status = cli.main([*argv, "--no-progress", "--timeout", "60", "--json", str(path)])
    finally:
        out, sys.stdout, sys.stderr = sys.stdout.getvalue(), stdout, stderr
    assert status == 0, out
    return json.loads(path.read_text(encoding="utf-8")), out


def only(doc):
    (job,) = doc["jobs"]
    return job


class EndToEndBenchTests(SynchronousTestCase):
    def test_welcomeStaircaseInSerialModeOnly(self):
        """
        With 50 ms of work per message, serial client i cannot be welcomed
        before the i clients ahead of it are done; reactor welcomes all at once.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, out = bench(tmp_path, "welcome", "--clients", "5", "--messages", "1", "--work", "0.05",
                         "--plot", str(tmp_path / "bench.png"))
        job = only(doc)
        serial = job["results"]["serial"]["welcome_ms"]
        reactor = job["results"]["reactor"]["welcome_ms"]
        assert None not in serial and None not in reactor
        assert all(later > earlier for earlier, later in zip(serial, serial[1:]))
        assert all(ms >= 0.9 * 50 * i for i, ms in enumerate(serial))
        assert max(reactor) < serial[-1]
        assert job["results"]["serial"]["completed"] == job["results"]["reactor"]["completed"] == 5
        assert "serial ÷ reactor" in out
        assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"

    def test_chatBothModes(self):
        """
        Chat runs against both modes, each as the default command and quiet
        side by side, and the JSON has every figure for each.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, out = bench(tmp_path, "chat", "--clients", "3", "--messages", "4")
        servers = doc["config"]["servers"]
        assert [s["label"] for s in servers] == ["reactor", "reactor quiet", "serial", "serial quiet"]
        assert [s["quiet"] for s in servers] == [False, True, False, True]
        assert not [a for s in servers for a in s["args"] if a.startswith("--logger")]
        assert doc["config"]["options"]["messages"] == 4
        job = only(doc)
        assert job["spec"]["clients"] == 3
        for label in ("reactor", "reactor quiet", "serial", "serial quiet"):
            f = job["results"][label]
            assert f["replies"] == 12 and f["completed"] == 3 and f["failed"] == 0
            assert f["latency"]["count"] == 12
            assert f["server_cpu_s"] is not None and f["load"][0]["cpu_s"] > 0
            assert f["saturation"]["note"]
        assert "replies/s" in job["ratios"]["serial"]
        assert "latency p99 ms" in out

    def test_churnBothModes(self):
        """
        Every churn session completes in both modes.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, _ = bench(tmp_path, "churn", "--connections", "20", "--in-flight", "4")
        for f in only(doc)["results"].values():
            assert f["completed"] == f["operations"] == 20
            assert f["states"] == {"ok": 20}

    def test_idleBothModes(self):
        """
        Idle connections are held in reactor mode with the server's RSS; serial mode is skipped.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, out = bench(tmp_path, "idle", "--clients", "20")
        results = only(doc)["results"]
        assert results["reactor"]["welcomed"] == 20
        assert results["reactor"]["states"] == {"held": 20}
        memory = results["reactor"]["memory"]
        assert memory["held"] == 20 and memory["rss_held"] > 0 and "rss_per_connection_bytes" in memory
        assert "skipped" in results["serial"]
        assert "server RSS/conn KiB" in out

    def test_welcomeBurstCounts(self):
        """
        A burst with a cap on waiting clients welcomes every client and hangs none.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, _ = bench(tmp_path, "--modes", "reactor", "welcome", "--clients", "40", "--messages", "0",
                       "--max-waiting", "10")
        f = only(doc)["results"]["reactor"]
        assert f["welcomed"] == f["completed"] == 40 and f["hung"] == 0

    def test_processesModeAndWorkKinds(self):
        """
        The processes mode runs once per work kind, each with its ideal.
        """
        tmp_path = Path(temporaryFolder(self))
        doc, _ = bench(tmp_path, "chat", "--modes", "processes", "--processes", "1", "--work", "0.001",
                       "--work-kind", "sleep,cpu", "--variants", "default", "--clients", "2", "--messages", "2")
        results = only(doc)["results"]
        assert set(results) == {"processes/sleep", "processes/cpu"}
        for f in results.values():
            assert f["replies"] == 4
            assert f["ideal_makespan_s"] == approx(0.004)  # 2 clients x 2 messages x 1 ms, one process

    def test_targetAndReferences(self):
        """
        A server the bench did not start is measured beside the reference servers.
        """
        tmp_path = Path(temporaryFolder(self))
        with ServerProcess("--mode", "reactor", "--quiet") as server:
            doc, out = bench(tmp_path, "chat", "--modes", "", "--reference", "twisted,asyncio",
                             "--target", f"mine=127.0.0.1:{server.port}", "--baseline", "mine",
                             "--clients", "2", "--messages", "3")
        job = only(doc)
        assert list(job["results"]) == ["twisted", "asyncio", "mine"]
        for f in job["results"].values():
            assert f["replies"] == 6 and f["failed"] == 0
        assert job["results"]["mine"]["server_cpu_s"] is not None
        target = [s for s in doc["config"]["servers"] if s["label"] == "mine"][0]
        assert target["kind"] == "target" and target["pid"] == server.proc.pid
        assert "twisted ÷ mine" in out
