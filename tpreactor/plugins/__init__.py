# -*- test-case-name: tests.test_modes -*-
"""
Where the concurrency modes are found: every C{tpreactor/plugins/}
directory on C{sys.path} (without an C{__init__.py} of its own) adds its
modules here, as C{twisted/plugins} does for Twisted's plugins. See
L{tpreactor.modes}.
"""

from twisted.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))
__all__ = []
