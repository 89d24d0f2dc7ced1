"""
Tests for README.md and the pages in docs/: the layout in
docs/development.md names every module of the package, and nothing that is
not there.
"""

import re
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent


def layoutBlock():
    """
    The code block under the "Layout" heading of docs/development.md.
    """
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    match = re.search(r"^#+ Layout\n.*?^```\n(.*?)^```", text, re.S | re.M)
    return match.group(1) if match else ""


def listedPaths(block):
    """
    The files the block names: top-level lines by their path, lines under
    C{tpreactor/} by the path below it.
    """
    paths = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        name = line.split()[0]
        if line.startswith("  "):
            paths.add("tpreactor/" + name)
        elif not name.endswith("/"):
            paths.add(name)
    return paths


class LayoutTests(SynchronousTestCase):
    def test_everyModuleListed(self):
        """
        Every module of the package is in the layout of docs/development.md,
        and every file the layout names exists.
        """
        block = layoutBlock()
        self.assertTrue(block, "docs/development.md has no Layout code block")
        listed = listedPaths(block)
        modules = {str(p.relative_to(ROOT)) for p in (ROOT / "tpreactor").rglob("*.py")}
        self.assertEqual(sorted(modules - listed), [], "modules missing from the layout in docs/development.md")
        self.assertEqual(sorted(p for p in listed if not (ROOT / p).exists()), [], "listed but not there")
