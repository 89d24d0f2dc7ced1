# -*- test-case-name: tests.test_commandline -*-
"""
The server's command line in the language it asks for: C{--lang} read
before anything else, usage errors as one line and a pointer to C{--help},
and C{--help} itself, all from the catalogue.
"""

import math
import os
import re
import sys
import textwrap

from twisted.python import usage

from .messages import LANGUAGES, catalogue

_GETOPT = re.compile(
    r"^option (-{1,2}\S+) (not recognized|requires argument|must not have an argument|not a unique prefix)$"
)


class StartupError(Exception):
    """
    Something outside the options keeps the server from starting (a folder
    that does not exist, say): one line, already in the server's language,
    with no pointer to C{--help}.
    """


def langIn(args, shortOpt, longOpt, default, interspersed=False):
    """
    The value of the last C{--lang}/C{-l} in C{args}, read as getopt reads
    them (long prefixes, C{-len}, C{--lang=en}) but past any bad option, or
    C{default}. Options end at the first argument that is not one, or with
    C{interspersed} (as argparse reads them) only at C{--}.
    """
    lang = default
    names = [o.rstrip("=") for o in longOpt]
    withValue = {o[:-1] for o in longOpt if o.endswith("=")}
    rest = list(args)
    while rest and rest[0] != "--":
        arg = rest.pop(0)
        if not arg.startswith("-") or arg == "-":
            if interspersed:
                continue
            break
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            matches = [n for n in names if n.startswith(name)]
            name = name if name in names else (matches[0] if len(matches) == 1 else None)
            if name in withValue and not equals and rest:
                value = rest.pop(0)
            if name == "lang":
                lang = value
            continue
        for i, letter in enumerate(arg[1:], 1):
            at = shortOpt.find(letter)
            if at >= 0 and shortOpt[at + 1:at + 2] == ":":
                value = arg[i + 1:] or (rest.pop(0) if rest else "")
                if letter == "l":
                    lang = value
                break
    return lang


class Number:
    """
    A coercer for C{--option} that names the option when the value is bad:
    called alone, a L{ValueError} in English; through L{SpeakingOptions}, a
    L{usage.UsageError} in the server's language.
    """

    def __init__(self, kind, option, minimum, exclusive=False):
        self.kind, self.option, self.minimum, self.exclusive = kind, option, minimum, exclusive

    def check(self, value, cat):
        """
        C{value} as a number, or the reason it is not one we take, from C{cat}.
        """
        try:
            number = self.kind(value)
        except ValueError:
            number = None
        if (number is None or not math.isfinite(number) or number < self.minimum
                or (self.exclusive and number == self.minimum)):
            text = cat.numberGreater if self.exclusive else cat.numberAtLeast
            raise usage.UsageError(text.format(option=self.option, minimum=self.minimum, value=repr(value)))
        return number

    def __call__(self, value):
        try:
            return self.check(value, catalogue("en"))
        except usage.UsageError as e:
            raise ValueError(str(e)) from None


class SpeakingOptions(usage.Options):
    """
    L{usage.Options} that speak the language of C{--lang}: subclasses give
    their texts in L{document} from C{self.cat}. Under twistd, a usage
    error is written as one line and a pointer to C{--help}, and a
    L{StartupError} as one line; both exit with status 1, as twistd's
    usage errors always did.
    """

    defaultLang = "es"

    def __init__(self, lang=None):
        usage.Options.__init__(self)
        for entry in self._dispatch.values():
            if isinstance(entry, usage.CoerceParameter) and isinstance(entry.coerce, Number):
                entry.coerce = lambda value, number=entry.coerce: number.check(value, self.cat)
        self.speak(lang or self.defaultLang)

    def speak(self, lang):
        """
        Use C{lang}'s texts (the default language's if we have no C{lang}).
        """
        self.cat = catalogue(lang if lang in LANGUAGES else self.defaultLang)
        self.docs["help"] = self.cat.optionHelp["help"]
        self.docs["version"] = self.cat.optionHelp["version"]
        self.document()

    def document(self):
        """
        Set C{self.docs} and C{self.longdesc} from C{self.cat}.
        """

    def parseOptions(self, options=None):
        if options is None:
            options = sys.argv[1:]
        self.speak(langIn(options, self.shortOpt, self.longOpt, self.defaultLang))
        try:
            usage.Options.parseOptions(self, options)
        except usage.UsageError as e:
            error = usage.UsageError(self.translate(str(e)))
            if self.parent is None:
                raise error from None
            sys.stderr.write(self.cat.usageLine.format(error=error) + "\n" + self.cat.usageHint + "\n")
            raise SystemExit(1) from None
        except StartupError as e:
            if self.parent is None:
                raise
            raise SystemExit(str(e)) from None

    def translate(self, error):
        """
        A usage error of Twisted's (getopt's words) in the server's language.
        """
        match = _GETOPT.match(error)
        if match:
            return self.cat.getoptErrors[match.group(2)].format(option=match.group(1))
        if error == "Wrong number of arguments.":
            return self.cat.wrongArguments
        return error

    def getSynopsis(self):
        synopsis = usage.Options.getSynopsis(self)
        return synopsis.replace("Usage:", self.cat.helpUsage, 1).replace("[options]", self.cat.helpOptionsWord)

    def getUsage(self, width=None):
        """
        The options and the long description, with the words Twisted adds
        (the heading, C{[default: ...]}) in the server's language.
        """
        width = width or int(os.environ.get("COLUMNS", "80"))
        shortOf = {long: short for short, long in self.synonyms.items() if len(short) == 1 and short != long}
        found = []
        for opt in self.longOpt:
            name = opt.rstrip("=")
            parameter = opt.endswith("=")
            doc = self.docs[name]
            default = self.defaults.get(name)
            if parameter and default is not None:
                doc = f"{doc.strip()} {self.cat.helpDefault.format(default=default)}"
            found.append({"long": name, "short": shortOf.get(name), "doc": doc,
                          "optType": "parameter" if parameter else "flag"})
        text = f"{self.cat.helpOptions}\n" + "".join(usage.docMakeChunks(found, width))
        longdesc = getattr(self, "longdesc", "")
        if longdesc:
            text += "\n" + "\n".join(textwrap.wrap(longdesc, width)).strip() + "\n"
        return text
