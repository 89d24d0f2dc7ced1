"""
Tests for L{tpreactor.openfiles}: the soft limit on open files is
raised to the hard one, and the connection limits follow it.
"""

import resource

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.openfiles import (
    DESCRIPTOR_MARGIN,
    REFUSAL_RESERVE,
    defaultMaxConnections,
    maxOpenConnections,
    raiseOpenFileLimit,
    servedWithin,
)


class FakeResource:
    """
    The parts of the C{resource} module the limit uses, on made-up limits.
    """

    RLIMIT_NOFILE = resource.RLIMIT_NOFILE
    RLIM_INFINITY = resource.RLIM_INFINITY

    def __init__(self, soft, hard, refuse=False):
        self.limits = (soft, hard)
        self.refuse = refuse
        self.set = []

    def getrlimit(self, which):
        return self.limits

    def setrlimit(self, which, limits):
        self.set.append(limits)
        if self.refuse:
            raise ValueError("not allowed")
        self.limits = limits


class RaiseTests(SynchronousTestCase):
    def test_softRaisedToHard(self):
        """
        A soft limit below the hard one is raised to it, and returned.
        """
        system = FakeResource(1024, 4096)
        self.assertEqual(raiseOpenFileLimit(system), 4096)
        self.assertEqual(system.limits, (4096, 4096))

    def test_alreadyAtTheHardLimit(self):
        """
        A soft limit already at the hard one is left alone.
        """
        system = FakeResource(4096, 4096)
        self.assertEqual(raiseOpenFileLimit(system), 4096)
        self.assertEqual(system.set, [])

    def test_infiniteHardLimit(self):
        """
        An infinite hard limit is not asked for: the soft one stays.
        """
        system = FakeResource(1024, resource.RLIM_INFINITY)
        self.assertEqual(raiseOpenFileLimit(system), 1024)
        self.assertEqual(system.set, [])

    def test_refused(self):
        """
        When the system refuses to raise it, the soft limit is what we have.
        """
        system = FakeResource(1024, 4096, refuse=True)
        self.assertEqual(raiseOpenFileLimit(system), 1024)

    def test_thisProcess(self):
        """
        On this process the soft limit ends at what the call returns.
        """
        limit = raiseOpenFileLimit()
        self.assertEqual(resource.getrlimit(resource.RLIMIT_NOFILE)[0], limit)


class DefaultMaxConnectionsTests(SynchronousTestCase):
    def test_limitLessTheMarginAndTheReserve(self):
        """
        The default is the raised limit less L{DESCRIPTOR_MARGIN} and less
        L{REFUSAL_RESERVE}, kept to tell the next clients the server is full.
        """
        self.assertEqual(
            defaultMaxConnections(FakeResource(1024, 4096)), 4096 - DESCRIPTOR_MARGIN - REFUSAL_RESERVE
        )

    def test_atLeastOne(self):
        """
        A limit smaller than the margin still allows one client.
        """
        self.assertEqual(defaultMaxConnections(FakeResource(16, 16)), 1)

    def test_noLimit(self):
        """
        Without any limit on open files the default is 0, no limit.
        """
        infinite = resource.RLIM_INFINITY
        self.assertEqual(defaultMaxConnections(FakeResource(infinite, infinite)), 0)


class MaxOpenConnectionsTests(SynchronousTestCase):
    def test_limitLessTheMargin(self):
        """
        Connections open at once, refusals included: the soft limit as it is
        now (not raised) less L{DESCRIPTOR_MARGIN}.
        """
        system = FakeResource(1024, 4096)
        self.assertEqual(maxOpenConnections(system), 1024 - DESCRIPTOR_MARGIN)
        self.assertEqual(system.set, [])

    def test_atLeastTwo(self):
        """
        A limit smaller than the margin still allows one client served and
        one refused.
        """
        self.assertEqual(maxOpenConnections(FakeResource(16, 16)), 2)

    def test_noLimit(self):
        """
        Without any limit on open files there is no limit on connections (0).
        """
        infinite = resource.RLIM_INFINITY
        self.assertEqual(maxOpenConnections(FakeResource(infinite, infinite)), 0)


class ServedWithinTests(SynchronousTestCase):
    def test_reserveKeptForRefusals(self):
        """
        Of many connections, L{REFUSAL_RESERVE} are kept for refusals.
        """
        self.assertEqual(servedWithin(1000), 1000 - REFUSAL_RESERVE)

    def test_fewConnections(self):
        """
        Of few connections, at most half are kept for refusals, and one is
        always served.
        """
        self.assertEqual([servedWithin(n) for n in (1, 2, 3, 10, 32, 33)], [1, 1, 2, 5, 16, 17])

    def test_noLimit(self):
        """
        No limit on connections is no limit on the clients served.
        """
        self.assertEqual(servedWithin(0), 0)
