"""
Tests for L{tpreactor.text}: telnet negotiation removal and log escaping.
"""

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.text import MAX_SUBNEGOTIATION, TelnetFilter, escape

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

    def test_iacBeforeNoCommandIsData(self):
        """
        C{0xFF} before a byte that is no telnet command (invalid UTF-8 from
        a client that is not telnet) is kept, with that byte, in every chunk size.
        """
        for size in range(1, 10):
            self.assertEqual(filterInChunks(b"\xffes\n\xff\x00x\n", size), b"\xffes\n\xff\x00x\n", size)

    def test_endlessSubnegotiationIsData(self):
        """
        A subnegotiation that never ends within L{MAX_SUBNEGOTIATION} bytes is
        no telnet: its bytes come back as data and the lines after it too.
        """
        data = b"\xff\xfa" + b"a\xff\xffb" + b"a" * (MAX_SUBNEGOTIATION + 10) + b"\nhola\n"
        for size in (1, 7, 64, 1000):
            out = filterInChunks(data, size)
            self.assertTrue(out.endswith(b"a\nhola\n"), size)
            self.assertEqual(out, data, size)

    def test_shortSubnegotiationWithNewlineIsRemoved(self):
        """
        A real subnegotiation may carry any byte, a newline included (a
        window 10 columns wide): it is still removed whole.
        """
        naws = b"\xff\xfa\x1f\x00\x0a\x00\x18\xff\xf0"
        for size in range(1, 10):
            self.assertEqual(filterInChunks(b"ho" + naws + b"la\n", size), b"hola\n", size)

    def test_ctrlCTimingMarkIsAnswered(self):
        """
        The exact bytes telnet sends for Ctrl+C (IAC IP, IAC DO TIMING-MARK)
        are no data and get IAC WILL TIMING-MARK back, in every chunk size:
        until then telnet throws away everything the server sends.
        """
        ctrlC = b"\xff\xf4\xff\xfd\x06"
        for size in range(1, 10):
            f = TelnetFilter()
            data = b"hola\n" + ctrlC + b"otra\n"
            out = b"".join(f.feed(data[i:i + size]) for i in range(0, len(data), size))
            self.assertEqual(out, b"hola\notra\n", size)
            self.assertEqual(f.takeAnswers(), b"\xff\xfb\x06", size)
            self.assertEqual(f.takeAnswers(), b"", size)

    def test_requestsAreRefused(self):
        """
        Any other DO gets WONT and any WILL gets DONT, so a client that
        waits for the answer is never left waiting; WONT and DONT need none.
        """
        f = TelnetFilter()
        f.feed(WILL_ECHO + DO_SGA + b"\xff\xfc\x01\xff\xfe\x03")
        self.assertEqual(f.takeAnswers(), b"\xff\xfe\x01" + b"\xff\xfc\x03")

    def test_doubledIacIsOneByte(self):
        """
        A doubled C{0xFF} is the escaped data byte C{0xFF}, kept once.
        """
        self.assertEqual(TelnetFilter().feed(b"a\xff\xffb"), b"a\xffb")

    def test_twoByteCommands(self):
        """
        IAC followed by a one-byte command (NOP, Are You There, ...) is dropped.
        """
        self.assertEqual(TelnetFilter().feed(b"a\xff\xf1b\xff\xf6c"), b"abc")

    def test_plainTextUntouched(self):
        """
        Text without C{0xFF} is returned as it came, the very same object.
        """
        data = "ñandú\n".encode()
        self.assertIs(TelnetFilter().feed(data), data)

    @given(st.binary(), st.integers(min_value=1, max_value=16))
    def test_telnetChunkingDoesNotMatter(self, data, size):
        """
        Any byte stream filters to the same bytes however it is split.
        """
        assert filterInChunks(data, size) == filterInChunks(data, len(data) or 1)


class EscapeTests(SynchronousTestCase):
    def test_printableUntouched(self):
        """
        Printable text, accents and punctuation included, is left as it is.
        """
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
    def test_escapeLeavesNoControlCharacter(self, text):
        """
        Whatever the client sends, the escaped text is printable.
        """
        escaped = escape(text)
        assert all(ch.isprintable() or ch == " " for ch in escaped)
        assert "\x1b" not in escaped
