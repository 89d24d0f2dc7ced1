"""
Tests for L{tpreactor.bench.twistd}: the bench names the server by strings
and imports nothing of it.
"""

import subprocess
import sys

from twisted.python.reflect import namedAny
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.bench.twistd import SERVER_LOGGER, TWISTD_OBSERVER, VARIANTS, tpreactorArgs

#: Every module of the bench, imported together in the test below.
BENCH_MODULES = (
    "tpreactor.bench", "tpreactor.bench.__main__", "tpreactor.bench.campaign", "tpreactor.bench.cli", "tpreactor.bench.configuration",
    "tpreactor.bench.deps", "tpreactor.bench.histogram", "tpreactor.bench.loadgen", "tpreactor.bench.plot",
    "tpreactor.bench.reference", "tpreactor.bench.report", "tpreactor.bench.runner",
    "tpreactor.bench.saturation", "tpreactor.bench.scaling", "tpreactor.bench.scenarios", "tpreactor.bench.servermodes", "tpreactor.bench.servers",
    "tpreactor.bench.soak", "tpreactor.bench.twistd", "tpreactor.bench.worker",
)


class ServerLoggerTests(SynchronousTestCase):
    """
    The observers the bench names for C{twistd --logger} exist.
    """

    def test_namesARealCallable(self):
        """
        L{SERVER_LOGGER} and L{TWISTD_OBSERVER} name importable callables, so
        the strings cannot go stale.
        """
        self.assertTrue(callable(namedAny(SERVER_LOGGER)))
        self.assertTrue(callable(namedAny(TWISTD_OBSERVER)))

    def test_variants(self):
        """
        The default variant is the command a user types; the others add
        C{--quiet} or twistd's own observer.
        """
        self.assertEqual(VARIANTS["default"], {})
        self.assertNotIn("--quiet", tpreactorArgs("reactor", 1234, **VARIANTS["default"]))
        self.assertIn("--quiet", tpreactorArgs("reactor", 1234, **VARIANTS["quiet"]))
        self.assertIn(f"--logger={TWISTD_OBSERVER}", tpreactorArgs("reactor", 1234, **VARIANTS["twistdlog"]))


class ImportsTests(SynchronousTestCase):
    """
    The bench speaks the wire: it imports nothing of the server package.
    """

    def test_noServerModule(self):
        """
        Importing every bench module loads no C{tpreactor} module outside C{tpreactor.bench}.
        """
        code = (
            "import importlib, sys\n"
            f"for name in {BENCH_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('tpreactor'))))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
        loaded = set(out.stdout.split())
        self.assertTrue(set(BENCH_MODULES) - {"tpreactor.bench.__main__"} <= loaded)
        self.assertEqual(sorted(m for m in loaded if m != "tpreactor" and not m.startswith("tpreactor.bench")), [])

    def test_everyModuleListed(self):
        """
        The list above holds every module of the bench, so a new one is checked too.
        """
        import pkgutil

        import tpreactor.bench

        names = {f"tpreactor.bench.{m.name}" for m in pkgutil.iter_modules(tpreactor.bench.__path__)}
        self.assertEqual(names | {"tpreactor.bench"}, set(BENCH_MODULES))
