# -*- test-case-name: tests.test_startup -*-
"""
The files the server will open before it serves, checked while the options
are read: twistd's log file and pid file, and the folder of a unix socket.
A problem is one line in the server's language (L{StartupError}), not the
traceback twistd would print when it opens them.
"""

import os

from twisted.internet.endpoints import UNIXServerEndpoint

from .commandline import StartupError


def folderProblem(path, cat):
    """
    Why a new file at C{path} cannot be made in its folder, or C{None}.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(folder):
        return cat.folderMissing.format(folder=folder)
    if not os.path.isdir(folder):
        return cat.notAFolder.format(folder=folder)
    return None


def fileProblem(path, cat):
    """
    Why the file at C{path} cannot be written (made, or opened to add to),
    or C{None}.
    """
    if os.path.isdir(path):
        return cat.isAFolder
    problem = folderProblem(path, cat)
    if problem:
        return problem
    target = path if os.path.exists(path) else os.path.dirname(os.path.abspath(path))
    if not os.access(target, os.W_OK):
        return cat.osErrors.get("EACCES", os.strerror(13))
    return None


def checkTwistdFiles(parent, cat):
    """
    twistd's C{--logfile} and C{--pidfile} (in C{parent}, twistd's own
    options, read before it opens them): L{StartupError} if one cannot be
    written.
    """
    logfile = parent.get("logfile")
    if logfile and logfile != "-":
        problem = fileProblem(logfile, cat)
        if problem:
            raise StartupError(cat.cannotLog.format(path=logfile, reason=problem))
    pidfile = parent.get("pidfile")
    if pidfile:
        problem = fileProblem(pidfile, cat)
        if problem:
            raise StartupError(cat.cannotWritePid.format(path=pidfile, reason=problem))


def checkSocketFolder(description, endpoint, cat):
    """
    L{StartupError} if C{endpoint} is a unix socket whose folder is not
    there (an abstract socket, C{@name}, has none).
    """
    endpoint = getattr(endpoint, "wrapped", endpoint)  # haproxy:unix:...
    if not isinstance(endpoint, UNIXServerEndpoint):
        return
    address = endpoint._address
    if isinstance(address, bytes):
        address = os.fsdecode(address)
    if not address or address.startswith(("@", "\0")):
        return
    problem = folderProblem(address, cat)
    if problem:
        raise StartupError(cat.cannotListen.format(description=description, reason=problem))
