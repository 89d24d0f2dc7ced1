# -*- test-case-name: tests.test_text -*-
"""
Byte-level helpers between the socket and the operator: telnet negotiation
removal and escaping of client text before it reaches a terminal.
"""

IAC = 0xFF
SB = 0xFA
SE = 0xF0
_NEGOTIATION = frozenset({0xFB, 0xFC, 0xFD, 0xFE})  # WILL WONT DO DONT

_DATA, _IAC, _OPTION, _SUB, _SUB_IAC = range(5)


class TelnetFilter:
    """
    Removes telnet commands from a byte stream fed in arbitrary chunks.

    A command split across two chunks is still removed: the state carries over.
    C{IAC IAC} stands for one literal C{0xFF} byte.
    """

    def __init__(self):
        self._state = _DATA

    def feed(self, data):
        """
        The bytes of C{data} that are not telnet commands.
        """
        if self._state == _DATA and IAC not in data:
            return data
        out = bytearray()
        state = self._state
        for byte in data:
            if state == _DATA:
                if byte == IAC:
                    state = _IAC
                else:
                    out.append(byte)
            elif state == _IAC:
                if byte == IAC:
                    out.append(IAC)
                    state = _DATA
                elif byte in _NEGOTIATION:
                    state = _OPTION
                elif byte == SB:
                    state = _SUB
                else:
                    state = _DATA  # a two-byte command (NOP, AYT, IP, GA, ...)
            elif state == _OPTION:
                state = _DATA
            elif state == _SUB:
                if byte == IAC:
                    state = _SUB_IAC
            else:  # _SUB_IAC
                state = _DATA if byte == SE else _SUB
        self._state = state
        return bytes(out)


def _escapeTable():
    table = {}
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        table[code] = f"\\x{code:02x}"
    table[ord("\t")] = "\\t"
    table[ord("\r")] = "\\r"
    table[ord("\n")] = "\\n"
    return table


_ESCAPES = _escapeTable()


def escape(text):
    """
    C{text} safe for the operator's terminal: control characters, terminal
    escape sequences and other unprintable code points (bidi overrides, line
    separators) are written as backslash escapes; printable text, accents
    included, is left alone.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(_ESCAPES.get(code) or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"))
    return "".join(out)
