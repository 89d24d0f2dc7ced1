# -*- test-case-name: tests.test_text -*-
"""
Byte-level helpers between the socket and the operator: telnet negotiation
removal and escaping of client text before it reaches a terminal.
"""

IAC = 0xFF
SB = 0xFA
SE = 0xF0
WILL, WONT, DO, DONT = 0xFB, 0xFC, 0xFD, 0xFE
_NEGOTIATION = frozenset({WILL, WONT, DO, DONT})
#: RFC 860: Ctrl+C in telnet sends C{IAC IP IAC DO TIMING-MARK} and throws
#: away everything the server sends until the mark is answered.
TIMING_MARK = 6
#: The lowest telnet command byte; C{IAC} before anything lower is no command.
_FIRST_COMMAND = SE
#: Real subnegotiations (terminal type, window size) are a few bytes long; a
#: longer one is no telnet at all, and its bytes are given back as data.
MAX_SUBNEGOTIATION = 256

_DATA, _IAC, _OPTION, _SUB, _SUB_IAC = range(5)


class TelnetFilter:
    """
    Removes telnet commands from a byte stream fed in arbitrary chunks.

    A command split across two chunks is still removed: the state carries over.
    C{IAC IAC} stands for one literal C{0xFF} byte. What only looks like
    telnet is kept as data, so that it is replaced when decoded, never lost:
    C{IAC} before a byte that is no command, and a subnegotiation that runs
    past L{MAX_SUBNEGOTIATION} bytes without its end.

    A client that asks something waits for the answer, so every request is
    answered (L{takeAnswers}): C{DO TIMING-MARK} with C{WILL TIMING-MARK}, any
    other C{DO} with C{WONT} and any C{WILL} with C{DONT} (the server takes
    up no option, RFC 854); C{WONT} and C{DONT} ask for the state the option
    is already in and get no answer, so negotiation cannot loop.
    """

    def __init__(self):
        self._state = _DATA
        self._sub = bytearray()
        self._verb = None
        self._answers = bytearray()

    def takeAnswers(self):
        """
        The bytes owed to the client for the requests fed so far (and forget
        them): to be sent at once, ahead of any reply still being worked on.
        """
        answers = bytes(self._answers)
        self._answers.clear()
        return answers

    def _answer(self, verb, option):
        if verb == DO:
            reply = WILL if option == TIMING_MARK else WONT
        elif verb == WILL:
            reply = DONT
        else:
            return
        self._answers += bytes((IAC, reply, option))

    def feed(self, data):
        """
        The bytes of C{data} that are not telnet commands.
        """
        if self._state == _DATA and IAC not in data:
            return data
        out = bytearray()
        state = self._state
        sub = self._sub
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
                    self._verb = byte
                    state = _OPTION
                elif byte == SB:
                    state = _SUB
                    sub.clear()
                elif byte >= _FIRST_COMMAND:
                    state = _DATA  # a two-byte command (NOP, AYT, IP, GA, ...)
                else:
                    out += bytes((IAC, byte))
                    state = _DATA
            elif state == _OPTION:
                self._answer(self._verb, byte)
                state = _DATA
            elif state == _SUB:
                if byte == IAC:
                    state = _SUB_IAC
                else:
                    sub.append(byte)
                    if len(sub) > MAX_SUBNEGOTIATION:
                        out += bytes((IAC, SB)) + sub
                        sub.clear()
                        state = _DATA
            else:  # _SUB_IAC
                if byte == SE:
                    sub.clear()
                    state = _DATA
                else:
                    sub += bytes((IAC, byte))  # IAC IAC inside a subnegotiation, or noise
                    state = _SUB
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
