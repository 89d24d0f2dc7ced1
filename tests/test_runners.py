# -*- test-case-name: tests.test_runners -*-
"""
One suite, two runners: C{trial tests} and C{pytest} find the same tests.
"""

import subprocess
import sys
from pathlib import Path

from twisted.trial import runner
from twisted.trial.unittest import SkipTest, SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent


def trialNames():
    """
    The ids of the tests C{trial tests} runs, as C{tests.module.Class.method}.
    """
    names, suites = [], [runner.TestLoader().loadByName("tests", recurse=True)]
    while suites:
        for test in suites.pop():
            if hasattr(test, "_tests"):
                suites.append(test)
            else:
                names.append(test.id())
    return names


def pytestNames():
    """
    The ids of the tests C{pytest} collects, in trial's spelling.
    """
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0 and "No module named pytest" in result.stderr:
        raise SkipTest("pytest is not installed")
    assert result.returncode == 0, result.stdout + result.stderr
    return [
        line.replace(".py::", ".").replace("::", ".").replace("/", ".")
        for line in result.stdout.splitlines() if "::" in line
    ]


class SameTestsTests(SynchronousTestCase):
    def test_bothRunnersFindTheSameTests(self):
        """
        Every test is a trial test case method that pytest collects too: a
        test function, a fixture or a parametrized test would be run by one
        runner only, and shows up here by name.
        """
        trial, pytest = trialNames(), pytestNames()
        self.assertEqual(sorted(set(pytest) - set(trial)), [], "run by pytest only")
        self.assertEqual(sorted(set(trial) - set(pytest)), [], "run by trial only")
        self.assertEqual(len(trial), len(pytest), "a test run twice by one runner")
