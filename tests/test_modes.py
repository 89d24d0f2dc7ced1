"""
Tests for L{tpreactor.modes} and L{tpreactor.plugins}: the modes are
Twisted plugins, and a new one is a module in a plugin directory.
"""

import os
import sys
import textwrap

from twisted.internet.task import Clock
from twisted.plugin import IPlugin, getPlugins
from twisted.python.filepath import FilePath
from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from tpreactor import modes, plugins
from tpreactor.clock import SystemClock
from tpreactor.factory import SerialFactory, Settings, TimeFactory
from tpreactor.processes import ProcessExecutor
from tpreactor.tap import Options
from tpreactor.work import InlineExecutor, ThreadExecutor

from .support import temporaryFolder

BUILT_IN = ["reactor", "serial", "processes"]

#: A mode a third party would write, with every declaration changed.
DROPPED_IN = '''\
from tpreactor.factory import SerialFactory
from tpreactor.modes import Mode, makeWork
from tpreactor.work import InlineExecutor


class EchoMode(Mode):
    name = "echo"
    summary = "a test mode"
    factoryClass = SerialFactory
    defaultIdleTimeout = 42.0
    poolOptions = ("threads",)

    def makeExecutor(self, settings, reactor):
        return InlineExecutor(makeWork(settings))


echo = EchoMode()
'''


def dropIn(testCase, source, name="echo_mode"):
    """
    A folder with C{tpreactor/plugins/<name>.py} holding C{source} and no
    C{__init__.py}, added to L{tpreactor.plugins}' path for C{testCase} as
    C{pluginPackagePaths} adds one found on C{sys.path}.
    """
    root = FilePath(temporaryFolder(testCase))
    folder = root.child("tpreactor").child("plugins")
    folder.makedirs()
    folder.child(name + ".py").setContent(textwrap.dedent(source).encode("utf-8"))
    testCase.patch(plugins, "__path__", plugins.__path__ + [folder.path])
    testCase.addCleanup(sys.modules.pop, f"tpreactor.plugins.{name}", None)
    return folder


class BuiltInModesTests(SynchronousTestCase):
    def test_pluginsFindTheThree(self):
        """
        getPlugins finds reactor, serial and processes, and allModes lists
        them in that order.
        """
        found = {mode.name for mode in getPlugins(modes.IConcurrencyMode, plugins)}
        self.assertTrue(set(BUILT_IN) <= found, found)
        self.assertEqual([m.name for m in modes.allModes()], BUILT_IN)

    def test_everyModeDeclaresTheInterface(self):
        """
        Each built-in mode provides every attribute and method of
        IConcurrencyMode, and IPlugin.
        """
        for mode in modes.allModes():
            verifyObject(modes.IConcurrencyMode, mode)
            self.assertTrue(IPlugin.providedBy(mode), mode)

    def test_declarations(self):
        """
        What differs between the built-in modes is what each declares.
        """
        self.assertEqual(
            [(m.name, m.holdsClients, m.pausesPorts, m.defaultIdleTimeout, m.poolOptions, m.factoryClass)
             for m in modes.allModes()],
            [
                ("reactor", False, False, 0.0, ("threads",), TimeFactory),
                ("serial", True, True, 300.0, (), SerialFactory),
                ("processes", False, False, 0.0, ("processes",), TimeFactory),
            ],
        )

    def test_factoriesSayWhatTheModeDeclares(self):
        """
        The factory a mode makes holds clients and pauses ports exactly when
        the mode says so.
        """
        for mode in modes.allModes():
            factory, pool = mode.makeFactory(Settings(), Clock(), SystemClock())
            self.assertEqual((factory.holdsClients, factory.pausesPorts), (mode.holdsClients, mode.pausesPorts))

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
        """
        An unknown name is a KeyError that names the modes there are.
        """
        with self.assertRaises(KeyError) as raised:
            modes.modeNamed("nope")
        self.assertIn("unknown mode 'nope'; choose one of reactor, serial, processes", str(raised.exception))

    def test_modeMustSayWhereTheWorkRuns(self):
        """
        A Mode subclass without makeExecutor cannot make a factory.
        """

        class Incomplete(modes.Mode):
            name = "incomplete"
            summary = "no executor"

        self.assertRaises(NotImplementedError, Incomplete().makeFactory, Settings(), Clock(), SystemClock())


class DroppedInModeTests(SynchronousTestCase):
    def test_modeFromAPluginDirectory(self):
        """
        A module in a tpreactor/plugins/ directory of its own is a mode,
        after the built-in ones, with no change to tpreactor.
        """
        dropIn(self, DROPPED_IN)
        self.assertEqual([m.name for m in modes.allModes()], BUILT_IN + ["echo"])
        echo = modes.modeNamed("echo")
        verifyObject(modes.IConcurrencyMode, echo)
        self.assertEqual((echo.holdsClients, echo.pausesPorts), (True, True))

    def test_optionsAndHelpFollowTheDeclarations(self):
        """
        --mode takes the new mode, its summary is in --help, and the help
        and defaults that depend on the mode follow what it declares.
        """
        dropIn(self, DROPPED_IN)
        options = Options()
        options.parseOptions(["--mode", "echo"])
        self.assertEqual((options["mode"], options["idle-timeout"]), ("echo", 42.0))
        text = " ".join(str(Options("en")).split())
        for shown in ("echo: a test mode", "Worker threads in reactor or echo mode.",
                      "Default: off, 300 in serial mode, 42 in echo mode.",
                      "Most clients at once (serial or echo mode: served plus held)."):
            self.assertIn(shown, text)

    def test_completionListsTheNewMode(self):
        """
        Shell completion offers the modes the plugins give when it is asked.
        """
        dropIn(self, DROPPED_IN)
        self.assertEqual(Options.compData.optActions["mode"]._items, BUILT_IN + ["echo"])

    def test_cacheThatCannotBeWrittenIsHarmless(self):
        """
        When dropin.cache cannot be written (a read-only install) the modes
        are still found, and nothing is logged as an error.
        """
        folder = dropIn(self, DROPPED_IN)

        def refuse(self, content, ext=b".new"):
            raise PermissionError(13, "read-only", self.path)

        self.patch(FilePath, "setContent", refuse)
        self.assertEqual([m.name for m in modes.allModes()], BUILT_IN + ["echo"])
        self.assertFalse(folder.child("dropin.cache").exists())
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_brokenPluginLeavesTheOthers(self):
        """
        A plugin module that fails to import is logged and the other modes
        are still there.
        """
        dropIn(self, "raise RuntimeError('broken plugin')\n", name="broken_mode")
        self.assertEqual([m.name for m in modes.allModes()], BUILT_IN)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

    def test_builtInNameIsKept(self):
        """
        Of two modes with one name, tpreactor's own is the one used.
        """
        dropIn(self, DROPPED_IN.replace('"echo"', '"serial"'))
        self.assertEqual([m.name for m in modes.allModes()], BUILT_IN)
        self.assertEqual(type(modes.modeNamed("serial")).__module__, "tpreactor.plugins.tpreactor_modes")


class PluginPathTests(SynchronousTestCase):
    def test_pluginPackageReadsEveryPluginDirectory(self):
        """
        tpreactor.plugins' path is its own directory, then every
        tpreactor/plugins directory on sys.path without an __init__.py.
        """
        self.assertEqual(
            os.path.normcase(plugins.__path__[0]),
            os.path.normcase(os.path.dirname(os.path.abspath(plugins.__file__))),
        )
