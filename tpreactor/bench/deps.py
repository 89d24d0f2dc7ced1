# -*- test-case-name: tests.test_bench -*-
"""The optional packages the bench needs, and one clear line when one is missing."""

import importlib.util

#: Import name -> distribution name, for every package the bench always needs.
REQUIRED = {"rich": "rich", "hdrh": "hdrhistogram", "psutil": "psutil"}
#: Needed only for C{--plot}.
FOR_PLOT = {"matplotlib": "matplotlib"}

INSTALL_HINT = "pip install 'tpreactor[bench]'"


def missing(modules):
    """
    The distribution names of the C{modules} (import name -> distribution)
    that cannot be imported.
    """
    return [dist for name, dist in modules.items() if not _importable(name)]


def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missingLine(dists):
    """
    The one line telling the user what to install, or C{None} if nothing is missing.
    """
    if not dists:
        return None
    return f"tpreactor-bench needs {', '.join(dists)}: {INSTALL_HINT}"


def eventLoopName():
    """
    The event loop the load generator uses: uvloop when installed.
    """
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
