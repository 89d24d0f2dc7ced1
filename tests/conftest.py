"""
Fixtures shared by the loopback tests.
"""

import pytest
import pytest_twisted


@pytest.fixture
def servers():
    """
    A list to put in-process servers in; each is stopped after the test.
    """
    started = []
    yield started
    for server in started:
        pytest_twisted.blockon(server.stopService())
