"""
The twistd plugin is found after an install, from any directory.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

from .support import TWISTD

ROOT = Path(__file__).resolve().parent.parent


def test_pluginListedFromAnotherDirectory(tmp_path):
    """
    twistd does not look in the current directory: the plugin is found
    because the install (editable here) put it on the path.
    """
    result = subprocess.run([TWISTD, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "tpreactor" in result.stdout


def test_wheelCarriesTheDropinOnly(tmp_path):
    """
    A regular install gets twisted/plugins/tpreactor_plugin.py and no
    __init__.py that would shadow Twisted's own packages, and the modes'
    plugin package without a stale dropin.cache.
    """
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
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
