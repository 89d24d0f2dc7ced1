"""
A short soak: churning and flooding clients lose no reply.
"""

import pytest

from tpreactor.bench.soak import soak


@pytest.mark.parametrize("serverArgs", [[], ["--work", "0.001", "--threads", "4"]])
def test_shortSoakLosesNothing(serverArgs):
    result = soak(2.0, churners=10, flooders=3, floodSize=300, serverArgs=serverArgs)
    assert result["errors"] == []
    assert result["sessions"] > 0
    assert result["sent"] > 0
    assert result["lostReplies"] == 0
    assert result["goodbyes"] == result["sessions"]
    assert result["tracebacksInLog"] == 0
