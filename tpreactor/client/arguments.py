# -*- test-case-name: tests.test_client_cli -*-
"""
The arguments of C{tpreactor-client} in the language of its C{--lang}
(Spanish by default): the parser, its C{--help}, and its errors, one line
without the usage.
"""

import argparse
import re
import signal

from ..commandline import langIn
from ..messages import LANGUAGES, catalogue
from .connect import CANNOT_CONNECT, REFUSED, TIMED_OUT, UNKNOWN_HOST, endpointTarget, hostTarget
from .session import INTERRUPTED, OK, SERVER_CLOSED

PROG = "tpreactor-client"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6667
SECONDS = 1.0
DEFAULT_TIMEOUT_SECONDS = 10 * SECONDS
DEFAULT_LANG = "es"
BAD_ARGUMENTS = 2
TERMINATED = 128 + signal.SIGTERM

#: argparse's own errors (in its English words) and the catalogue's key for each.
_ARGPARSE = [
    ("invalidChoice", re.compile(
        r"^argument (?P<argument>\S+): invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)$"
    )),
    ("expectedOne", re.compile(r"^argument (?P<argument>\S+): expected one argument$")),
    ("argument", re.compile(r"^argument (?P<argument>\S+): (?P<message>.*)$")),
    ("unrecognized", re.compile(r"^unrecognized arguments: (?P<args>.*)$")),
]


def exitStatuses(cat):
    """
    The exit statuses, for the end of C{--help}.
    """
    return cat.clientExitStatuses.format(
        ok=OK, serverClosed=SERVER_CLOSED, badArguments=BAD_ARGUMENTS, refused=REFUSED,
        unknownHost=UNKNOWN_HOST, timedOut=TIMED_OUT, cannotConnect=CANNOT_CONNECT,
        interrupted=INTERRUPTED, terminated=TERMINATED,
    )


EXIT_STATUSES = exitStatuses(catalogue("en"))


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """
    argparse's help with the word before the usage in our language.
    """

    usagePrefix = None

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix if prefix is not None else self.usagePrefix)


class _Parser(argparse.ArgumentParser):
    """
    An argument parser whose errors are one line, without the usage, in
    C{cat}'s language.
    """

    def __init__(self, cat, **kwargs):
        self.cat = cat
        formatter = type("Formatter", (_Formatter,), {"usagePrefix": cat.clientUsage})
        argparse.ArgumentParser.__init__(self, formatter_class=formatter, add_help=False, **kwargs)

    def error(self, message):
        self.exit(BAD_ARGUMENTS, self.cat.clientError.format(prog=self.prog, message=self.translate(message)) + "\n")

    def translate(self, message):
        """
        One of argparse's errors in the parser's language.
        """
        for key, pattern in _ARGPARSE:
            match = pattern.match(message)
            if match:
                return self.cat.argparseErrors[key].format(**match.groupdict())
        return message


def _port(cat):
    def port(text):
        try:
            number = int(text)
        except ValueError:
            number = 0
        if not 0 < number < 65536:
            raise argparse.ArgumentTypeError(cat.clientBadPort.format(value=repr(text)))
        return number

    return port


def _seconds(cat):
    def seconds(text):
        try:
            number = float(text)
        except ValueError:
            number = 0.0
        if not 0 < number < float("inf"):
            raise argparse.ArgumentTypeError(cat.clientBadSeconds.format(value=repr(text)))
        return number

    return seconds


def buildParser(lang=DEFAULT_LANG):
    """
    The parser, its help and its errors in C{lang}.
    """
    cat = catalogue(lang)
    helps = cat.clientHelp
    parser = _Parser(cat, prog=PROG, description=cat.clientDescription, epilog=exitStatuses(cat))
    positionals = parser.add_argument_group(cat.clientPositionals)
    optionals = parser.add_argument_group(cat.clientOptionals)
    positionals.add_argument("host", nargs="?", help=helps["host"].format(host=DEFAULT_HOST))
    positionals.add_argument("port", nargs="?", type=_port(cat), help=helps["port"].format(port=DEFAULT_PORT))
    optionals.add_argument("-h", "--help", action="help", help=helps["help"])
    optionals.add_argument("--connect", metavar="ENDPOINT", help=helps["connect"])
    optionals.add_argument(
        "--timeout", metavar=cat.clientSeconds, type=_seconds(cat), default=DEFAULT_TIMEOUT_SECONDS,
        help=helps["timeout"],
    )
    optionals.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help=helps["lang"])
    return parser


def argumentsLang(argv):
    """
    The language C{argv} asks for, read before the rest so that even an
    error before C{--lang} is in it.
    """
    lang = langIn(argv, "h", ["connect=", "timeout=", "lang=", "help"], DEFAULT_LANG, interspersed=True)
    return lang if lang in LANGUAGES else DEFAULT_LANG


def parseArguments(reactor, argv=None):
    """
    The options and the L{tpreactor.client.connect.Target} for C{argv}; bad
    arguments end the program with one line on stderr and status 2.
    """
    import sys

    argv = sys.argv[1:] if argv is None else argv
    parser = buildParser(argumentsLang(argv))
    options = parser.parse_args(argv)
    if options.connect is not None:
        if options.host is not None:
            parser.error(parser.cat.clientNotBoth)
        try:
            target = endpointTarget(reactor, options.connect, parser.cat.lang)
        except ValueError as e:
            parser.error(str(e))
    else:
        target = hostTarget(
            reactor, options.host or DEFAULT_HOST, options.port or DEFAULT_PORT, options.timeout,
        )
    return options, target
