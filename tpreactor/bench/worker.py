# -*- test-case-name: tests.test_bench -*-
"""
A load process: started once by the bench, it runs each job it is sent on
a fresh event loop (uvloop when installed) and sends back the raw result.
"""

import asyncio
import resource

from .loadgen import runJob


def raiseOpenFileLimit():
    """
    Every client is a descriptor: raise our soft limit to the hard one.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def newLoop():
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def workerMain(conn):
    """
    A load process: runs the jobs the bench sends on C{conn} until C{None}.

    Messages in: C{("job", spec, host, port)}, C{None}. Messages out:
    C{("started",)}, C{("held", n)} in the idle scenario, C{("done", result)}
    or C{("failed", text)}.
    """
    raiseOpenFileLimit()
    conn.send(("started",))
    while True:
        message = conn.recv()
        if message is None:
            return
        _, spec, host, port = message
        loop = newLoop()
        try:
            result = loop.run_until_complete(runJob(spec, host, port, conn))
        except Exception as e:  # reported, never a hang of the bench
            conn.send(("failed", f"{type(e).__name__}: {e}"))
        else:
            conn.send(("done", result))
        finally:
            loop.close()
