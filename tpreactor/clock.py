# -*- test-case-name: tests.test_protocol -*-
"""
The two clocks a connection needs: the wall clock for the date shown to the
client and a monotonic one for the elapsed time, injected so tests set both.
"""

import time
from datetime import datetime, timedelta


class SystemClock:
    """
    The real clocks: local wall time and C{time.monotonic}.
    """

    now = staticmethod(datetime.now)
    monotonic = staticmethod(time.monotonic)


class FakeClock:
    """
    Both clocks driven by one L{twisted.internet.task.Clock}: the wall clock
    starts at C{start} and moves with it.
    """

    def __init__(self, reactorClock, start):
        self._clock = reactorClock
        self._start = start
        self._origin = reactorClock.seconds()

    def now(self):
        return self._start + timedelta(seconds=self._clock.seconds() - self._origin)

    def monotonic(self):
        return self._clock.seconds()
