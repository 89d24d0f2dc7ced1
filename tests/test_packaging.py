"""
The twistd plugin is found after an install, from any directory.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

from .support import TWISTD, temporaryFolder

ROOT = Path(__file__).resolve().parent.parent

#: What a build reads from the tree.
SOURCES = ["pyproject.toml", "setup.cfg", "README.md", "tpreactor", "twisted"]
#: Written under those while the tests run (the plugin caches are rewritten
#: through a temporary sibling): a copy taken then must not depend on them.
RUNTIME_FILES = shutil.ignore_patterns("__pycache__", "dropin.cache*")


class PackagingTests(SynchronousTestCase):
    def test_pluginListedFromAnotherDirectory(self):
        """
        twistd does not look in the current directory: the plugin is found
        because the install (editable here) put it on the path.
        """
        tmp_path = Path(temporaryFolder(self))
        result = subprocess.run([TWISTD, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert "tpreactor" in result.stdout

    def test_wheelCarriesTheDropinOnly(self):
        """
        A regular install gets twisted/plugins/tpreactor_plugin.py and no
        __init__.py that would shadow Twisted's own packages, and the modes'
        plugin package without a stale dropin.cache.
        """
        tmp_path = Path(temporaryFolder(self))
        # A copy, so that the build's files never land in the tree the other
        # runner may be building from at the same time; with the stale cache
        # a working tree has, which the wheel must leave out.
        source = tmp_path / "source"
        source.mkdir()
        for name in SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=RUNTIME_FILES)
            else:
                shutil.copy(ROOT / name, source / name)
        for plugins in ["tpreactor/plugins", "twisted/plugins"]:
            (source / plugins / "dropin.cache").write_bytes(b"stale")
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(source)],
            check=True, capture_output=True, timeout=300, cwd=tmp_path,
        )
        (wheel,) = tmp_path.glob("tpreactor-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        assert "twisted/plugins/tpreactor_plugin.py" in names
        assert "twisted/__init__.py" not in names
        assert "twisted/plugins/__init__.py" not in names
        assert "tpreactor/protocol.py" in names
        assert "tpreactor/plugins/__init__.py" in names
        assert "tpreactor/plugins/tpreactor_modes.py" in names
        assert "tpreactor/plugins/dropin.cache" not in names
        assert "twisted/plugins/dropin.cache" not in names
