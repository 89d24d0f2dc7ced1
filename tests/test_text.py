"""
Tests for L{tpreactor.text}: telnet negotiation removal and log escaping.
"""

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.text import TelnetFilter, escape

WILL_ECHO = b"\xff\xfb\x01"
DO_SGA = b"\xff\xfd\x03"
SUBNEG = b"\xff\xfa\x18\x00xterm\xff\xf0"


def filterInChunks(data, size):
    f = TelnetFilter()
    return b"".join(f.feed(data[i:i + size]) for i in range(0, len(data), size))


class TelnetFilterTests(SynchronousTestCase):
    def test_removesNegotiationInEveryChunkSize(self):
        """
        WILL/DO options and subnegotiations vanish whatever the chunking,
        even when a command is split across chunks.
        """
        data = WILL_ECHO + b"ho" + DO_SGA + b"la" + SUBNEG + b"\r\n"
        for size in range(1, 10):
            self.assertEqual(filterInChunks(data, size), b"hola\r\n", size)

    def test_doubledIacIsOneByte(self):
        self.assertEqual(TelnetFilter().feed(b"a\xff\xffb"), b"a\xffb")

    def test_twoByteCommands(self):
        """
        IAC followed by a one-byte command (NOP, Are You There, ...) is dropped.
        """
        self.assertEqual(TelnetFilter().feed(b"a\xff\xf1b\xff\xf6c"), b"abc")

    def test_plainTextUntouched(self):
        data = "ñandú\n".encode()
        self.assertIs(TelnetFilter().feed(data), data)


class EscapeTests(SynchronousTestCase):
    def test_printableUntouched(self):
        self.assertEqual(escape("hola, ñandú ¿qué tal?"), "hola, ñandú ¿qué tal?")

    def test_terminalEscapes(self):
        """
        ESC, BEL and other control characters are written as escapes.
        """
        self.assertEqual(escape("a\x1b[2Jb\x07"), "a\\x1b[2Jb\\x07")
        self.assertEqual(escape("\r\n\t"), "\\r\\n\\t")

    def test_c1AndBidi(self):
        """
        C1 controls (such as CSI, 0x9b) and bidi overrides are escaped too.
        """
        self.assertEqual(escape("\x9b2J\u202e"), "\\x9b2J\\u202e")


@given(st.text())
def test_escapeLeavesNoControlCharacter(text):
    """
    Whatever the client sends, the escaped text is printable.
    """
    escaped = escape(text)
    assert all(ch.isprintable() or ch == " " for ch in escaped)
    assert "\x1b" not in escaped


@given(st.binary(), st.integers(min_value=1, max_value=16))
def test_telnetChunkingDoesNotMatter(data, size):
    """
    Any byte stream filters to the same bytes however it is split.
    """
    assert filterInChunks(data, size) == filterInChunks(data, len(data) or 1)
