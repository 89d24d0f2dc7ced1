"""
Property tests: however a byte stream is split into packets, the server
sees the same messages and writes the same replies, and never raises.
"""

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.logger import capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.protocol import FLUSH_SECONDS

from .memory import Server

PIECES = st.sampled_from([
    b"\n", b"\r\n", b"\r", b"hola", b"salir", b"SALIR\n", b"\xff\xfb\x01", b"\xff\xfa\x18x\xff\xf0",
    b"\xff\xff", b"\xe9\xff\xfe", "ñandú".encode(), b"\x1b[2J", b" ", b"x" * 40,
])
STREAMS = st.lists(PIECES, max_size=30).map(b"".join)


def feed(stream, cuts):
    """
    The messages the server logged and the lines it wrote for C{stream}
    split at C{cuts}.
    """
    server = Server(maxLineLength=64)
    client = server.connect()
    bounds = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    with capturedLogs() as events:
        for start, end in zip(bounds, bounds[1:]):
            client.send(stream[start:end])
        server.clock.advance(FLUSH_SECONDS)
        client.protocol.readConnectionLost()
    messages = [e["text"] for e in events if "text" in e]
    return messages, client.lines()


class ChunkingTests(SynchronousTestCase):
    @settings(max_examples=300, deadline=None)
    @given(STREAMS, st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
    def test_chunkingDoesNotChangeMessages(self, stream, cuts):
        """
        A stream cut into packets anywhere gives the same messages and the
        same replies as the stream in one piece.
        """
        assert feed(stream, cuts) == feed(stream, [])
