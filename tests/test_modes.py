"""
Tests for L{tpreactor.modes}: the registry is the one place a mode is added.
"""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from tpreactor import modes
from tpreactor.clock import SystemClock
from tpreactor.factory import SerialFactory, Settings, TimeFactory
from tpreactor.processes import ProcessExecutor
from tpreactor.tap import Options
from tpreactor.work import InlineExecutor, ThreadExecutor


class RegistryTests(SynchronousTestCase):
    def test_builtInModes(self):
        self.assertEqual(list(modes.MODES), ["reactor", "serial", "processes"])
        for cls in modes.MODES.values():
            verifyObject(modes.IConcurrencyMode, cls())

    def test_newModeIsOneClass(self):
        """
        A class registered with registerMode is a valid --mode and shows in
        the help, with no other change.
        """

        @modes.registerMode
        class EchoMode(modes.ReactorMode):
            name = "echo-test"
            summary = "a test mode"

        self.addCleanup(modes.MODES.pop, "echo-test")
        options = Options()
        options.parseOptions(["--mode", "echo-test"])
        self.assertEqual(options["mode"], "echo-test")
        self.assertIn("a test mode", str(Options()))

    def test_executors(self):
        """
        Reactor mode hands work to threads only when there is work; serial
        always runs it inline; processes uses worker processes.
        """
        clock = Clock()

        def executor(name, **changes):
            factory, pool = modes.modeNamed(name).makeFactory(Settings(**changes), clock, SystemClock())
            return factory, factory.executor, pool

        factory, ex, pool = executor("reactor")
        self.assertIsInstance(ex, InlineExecutor)
        self.assertIsNone(pool)
        factory, ex, pool = executor("reactor", work=0.1, threads=3)
        self.assertIsInstance(ex, ThreadExecutor)
        self.assertIs(pool, ex)
        self.assertEqual(ex.pool.max, 3)
        factory, ex, pool = executor("serial", work=0.1)
        self.assertIsInstance(factory, SerialFactory)
        self.assertIsInstance(ex, InlineExecutor)
        factory, ex, pool = executor("processes", work=0.1, processes=2)
        self.assertIsInstance(factory, TimeFactory)
        self.assertIsInstance(ex, ProcessExecutor)

    def test_unknown(self):
        with self.assertRaises(KeyError):
            modes.modeNamed("nope")
