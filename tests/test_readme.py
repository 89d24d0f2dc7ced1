"""
Tests for README.md and the pages in docs/: every link resolves, the
commands they show exist (make targets and variables, the options of the
server, of twistd, of the client and of the bench), and the layout in
docs/development.md names every module of the package and nothing else.
"""

import argparse
import functools
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DEVELOPMENT = DOCS / "development.md"

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
INLINE_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def pages(root=ROOT):
    """
    The README and every page in docs/, in that order.
    """
    return [root / "README.md"] + sorted((root / "docs").glob("*.md"))


def splitFences(text):
    """
    The text outside fenced code blocks, and the lines inside them.
    """
    prose, code, fenced = [], [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            code.append(line)
        else:
            prose.append(line)
    return "\n".join(prose), code


# Links and anchors


def slug(heading):
    """
    GitHub's anchor for a heading: the text it shows, lower-case, with
    punctuation removed and each space turned into a hyphen.
    """
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(text):
    """
    The anchors of a page's headings; a repeated one gets -1, -2, ... as on
    GitHub.
    """
    found, seen = set(), {}
    prose, _ = splitFences(text)
    for line in prose.splitlines():
        match = HEADING.match(line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text):
    """
    The targets of the links and images in a page, outside code.
    """
    prose, _ = splitFences(text)
    prose = CODE_SPAN.sub(lambda m: "code", prose)
    return [m.group(2) for m in INLINE_LINK.finditer(prose)] + REFERENCE.findall(prose)


def brokenLinks(page, root=ROOT):
    """
    What is wrong with each link of C{page}, as lines naming the page and
    the link: a file that is not there, an anchor its page does not have, or
    a place outside the repository. http(s) links are not fetched.
    """
    problems = []
    root = root.resolve()
    text = page.read_text(encoding="utf-8")
    for target in links(text):
        where = f"{page.relative_to(root)}: {target}"
        if re.match(r"https?://", target):
            continue
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            problems.append(f"{where} (outside the repository)")
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page.resolve()
        if destination != root and root not in destination.parents:
            problems.append(f"{where} (outside the repository)")
        elif not destination.exists():
            problems.append(f"{where} (no such file)")
        elif anchor and destination.suffix != ".md":
            problems.append(f"{where} (an anchor in a file that is no page)")
        elif anchor and anchor not in anchors(destination.read_text(encoding="utf-8")):
            problems.append(f"{where} (no such heading in {destination.relative_to(root)})")
    return problems


def linkedFiles(root=ROOT):
    """
    Every file of the repository that the README or a page links to.
    """
    files = set()
    for page in pages(root):
        for target in links(page.read_text(encoding="utf-8")):
            path = target.partition("#")[0]
            if path and not re.match(r"[a-z][a-z0-9+.-]*:", path, re.I):
                files.add((page.parent / path).resolve())
    return files


# Commands


def makefile(root=ROOT):
    """
    The Makefile's targets, and the variables it sets or reads.
    """
    text = (root / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w.-]+)\s*:(?!=)", text, re.M))
    variables = set(re.findall(r"^(\w+)\s*[?:+]?=", text, re.M)) | set(re.findall(r"\$\((\w+)\)", text))
    return targets, variables


def usageOptions(options):
    """
    The long and short names a L{twisted.python.usage.Options} takes.
    """
    names = set(options.synonyms)
    return {n for n in names if len(n) > 1}, {n for n in names if len(n) == 1}


def argparseOptions(parser):
    """
    The long and short names an C{argparse} parser takes.
    """
    strings = set(parser._option_string_actions)
    return {s[2:] for s in strings if s.startswith("--")}, {s[1:] for s in strings if not s.startswith("--")}


@functools.lru_cache(maxsize=None)
def commandParsers():
    """
    The options of each command the documentation shows, by name: the
    server (C{twistd tpreactor}), twistd itself, the client, and the bench
    (C{"bench"} for its own, C{"bench chat"} and so on for a scenario's).
    Made once: finding the modes' plugins takes a few tenths of a second.
    """
    from twisted.scripts.twistd import ServerOptions

    from tpreactor.bench.cli import makeParser
    from tpreactor.client.arguments import buildParser
    from tpreactor.tap import Options

    parsers = {
        "server": usageOptions(Options()),
        "twistd": usageOptions(ServerOptions()),
        "client": argparseOptions(buildParser()),
    }
    bench = makeParser()
    parsers["bench"] = argparseOptions(bench)
    for action in bench._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                parsers["bench " + name] = argparseOptions(sub)
    return parsers


PROGRAMS = {"twistd": "twistd", "tpreactor-client": "client", "tpreactor-bench": "bench", "make": "make"}
ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
# What `make TARGET` does with ARGS and TWISTD_ARGS: the command they join.
MAKE_ARGUMENTS = {
    "run": {"ARGS": ["twistd", "tpreactor"], "TWISTD_ARGS": ["twistd"]},
    "client": {"ARGS": ["tpreactor-client"]},
    "bench": {"ARGS": ["tpreactor-bench"]},
}


def snippets(text):
    """
    The code in a page, as one-line snippets: every line of a code block
    (its C{$ } prompt removed) and every inline code span.
    """
    prose, code = splitFences(text)
    lines = code + [line for line in prose.splitlines() if line.startswith("    ")]
    found = [re.sub(r"^\s*\$ ", "", line).strip() for line in lines]
    found += [" ".join(m.group(2).split()) for m in CODE_SPAN.finditer(prose)]
    return found


def optionProblems(words, programs, parsers, where):
    """
    The words of C{words} that look like options and are options of none
    of C{programs} (comma-separated names of L{commandParsers}; the first
    is named when none takes the option).
    """
    problems = []
    for word in words:
        if word.startswith("--") and len(word) > 2:
            name, kind = word[2:].split("=", 1)[0], 0
        elif re.match(r"^-[A-Za-z]$", word):
            name, kind = word[1], 1
        else:
            continue
        if not any(name in parsers[program][kind] for program in programs.split(",")):
            problems.append(f"{where}: {word} is no option of {programs.split(',')[0]}")
    return problems


def commandProblems(words, parsers, make, where):
    """
    What is wrong with one command, given as its words: an option its
    program does not take, a make target or variable the Makefile does not
    have.
    """
    while words and ASSIGNMENT.match(words[0]):
        words = words[1:]
    program = PROGRAMS[words[0].rsplit("/", 1)[-1]]
    words = words[1:]
    if program == "twistd":
        if "tpreactor" in words:
            split = words.index("tpreactor")
            return (
                optionProblems(words[:split], "twistd", parsers, where)
                + optionProblems(words[split + 1:], "server", parsers, where)
            )
        return optionProblems(words, "twistd", parsers, where)
    if program == "bench":
        scenario = next((w for w in words if "bench " + w in parsers), None)
        return optionProblems(words, "bench " + scenario if scenario else "bench", parsers, where)
    if program == "client":
        return optionProblems(words, "client", parsers, where)
    targets, variables = make
    problems, named = [], []
    for word in words:
        if ASSIGNMENT.match(word):
            continue
        if word.startswith("-"):
            problems.append(f"{where}: make {word}: the documentation shows no make options")
        elif word not in targets:
            problems.append(f"{where}: make {word}: no such target in the Makefile")
        else:
            named.append(word)
    for word in words:
        if not ASSIGNMENT.match(word):
            continue
        variable, value = word.split("=", 1)
        if variable not in variables:
            problems.append(f"{where}: {variable}: no such variable in the Makefile")
        for target in named or ["run"]:
            command = MAKE_ARGUMENTS.get(target, {}).get(variable)
            if command is not None:
                problems += commandProblems(command + shlex.split(value), parsers, make, where)
    return problems


def snippetProblems(snippet, parsers, make, where, bare):
    """
    What is wrong with one snippet of code: a command of one of
    L{PROGRAMS}, or, when C{bare} is true, a snippet that names options
    alone (taken as the server's, or twistd's own) or sets make variables
    alone (taken as C{make run}'s).
    """
    try:
        words = shlex.split(snippet, comments=True)
    except ValueError:
        words = snippet.split()
    if not words:
        return []
    program = next((w for w in words if not ASSIGNMENT.match(w)), None)
    if program is not None and program.rsplit("/", 1)[-1] in PROGRAMS:
        return commandProblems(words, parsers, make, where)
    if not bare:
        return []
    if program is None:
        return commandProblems(["make", *words], parsers, make, where)
    if words[0].startswith("-"):
        return optionProblems(words, "server,twistd", parsers, where)
    return []


def pageCommandProblems(page, parsers, make, bare):
    """
    Every problem of every snippet of code in C{page}.
    """
    problems = []
    for snippet in snippets(page.read_text(encoding="utf-8")):
        problems += snippetProblems(snippet, parsers, make, page.name, bare)
    return problems


# The layout


def layoutBlock(page=DEVELOPMENT):
    """
    The code block under the "Layout" heading of docs/development.md.
    """
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    match = re.search(r"^#+ Layout\n.*?^```\n(.*?)^```", text, re.S | re.M)
    return match.group(1) if match else ""


def listedPaths(block):
    """
    The files the block names: top-level lines by their path, lines under
    C{tpreactor/} by the path below it.
    """
    paths = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        name = line.split()[0]
        if line.startswith("  "):
            paths.add("tpreactor/" + name)
        elif not name.endswith("/"):
            paths.add(name)
    return paths


# The tests


def temporaryTree(testCase, files):
    """
    A folder holding C{files} (a dict of relative path to text), removed
    when C{testCase} ends.
    """
    root = Path(tempfile.mkdtemp(prefix="tpreactor-test-"))
    testCase.addCleanup(shutil.rmtree, root, True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


class SlugTests(SynchronousTestCase):
    def test_punctuationRemovedSpacesHyphens(self):
        """
        A heading's anchor is lower-case, without its punctuation, with a
        hyphen for every space, as on GitHub.
        """
        self.assertEqual(slug("Several processes: `--workers`"), "several-processes---workers")
        self.assertEqual(slug("Ctrl+C"), "ctrlc")
        self.assertEqual(slug("twistd's own options"), "twistds-own-options")
        self.assertEqual(slug("Where the second worker's CPU goes (churn)"), "where-the-second-workers-cpu-goes-churn")

    def test_repeatedHeadingsNumbered(self):
        """
        The second heading with the same text has the anchor with -1, and
        a heading inside a code block is none.
        """
        text = "# Notes\n\n## Notes\n\n```\n# not a heading\n```\n"
        self.assertEqual(anchors(text), {"notes", "notes-1"})


class LinkTests(SynchronousTestCase):
    def test_everyLinkResolves(self):
        """
        Every link in README.md and docs/*.md names a file of the repository
        that exists and, after a #, a heading of that page, or is an http(s)
        URL.
        """
        problems = [p for page in pages() for p in brokenLinks(page)]
        self.assertEqual(problems, [])

    def test_everyDocumentLinked(self):
        """
        Every page and picture in docs/ is linked from the README or from
        another page, so that a reader finds it.
        """
        linked = linkedFiles()
        orphans = sorted(str(p.relative_to(ROOT)) for p in DOCS.iterdir() if p.resolve() not in linked)
        self.assertEqual(orphans, [])

    def test_brokenLinksFound(self):
        """
        A missing file, a missing heading, a link out of the repository and
        another scheme are each reported; http(s) URLs and good links are not.
        """
        root = temporaryTree(self, {
            "README.md": "# Top\n\n[a](docs/a.md#there) [b](docs/b.md) [c](docs/a.md#nowhere)\n"
                         "[d](../outside.md) [e](https://example.org/x) [f](mailto:a@example.org)\n"
                         "[g](#top) `[h](not-a-link.md)`\n",
            "docs/a.md": "# A\n\n## There\n",
        })
        self.assertEqual(brokenLinks(root / "README.md", root), [
            "README.md: docs/b.md (no such file)",
            "README.md: docs/a.md#nowhere (no such heading in docs/a.md)",
            "README.md: ../outside.md (outside the repository)",
            "README.md: mailto:a@example.org (outside the repository)",
        ])


class CommandTests(SynchronousTestCase):
    def setUp(self):
        self.parsers = commandParsers()
        self.make = makefile()

    def problems(self, text, bare=True):
        """
        The problems of a page holding C{text}.
        """
        root = temporaryTree(self, {"README.md": text})
        return pageCommandProblems(root / "README.md", self.parsers, self.make, bare)

    def test_readmeCommandsExist(self):
        """
        Every make target and variable the README names is in the Makefile,
        and every option it shows is an option of its command: the server's
        after `tpreactor`, twistd's before it, the client's, the bench's.
        """
        self.assertEqual(pageCommandProblems(README, self.parsers, self.make, bare=True), [])

    def test_docsCommandsExist(self):
        """
        The commands the pages in docs/ show (twistd, tpreactor-client,
        tpreactor-bench, make) take the options they are shown with.
        """
        problems = [p for page in pages()[1:] for p in pageCommandProblems(page, self.parsers, self.make, False)]
        self.assertEqual(problems, [])

    def test_unknownMakeTargetOrVariable(self):
        """
        A make target or variable that the Makefile does not have is
        reported.
        """
        self.assertEqual(self.problems("    make runn\n\n`make run COLOR=1`\n"), [
            "README.md: make runn: no such target in the Makefile",
            "README.md: COLOR: no such variable in the Makefile",
        ])

    def test_unknownServerOption(self):
        """
        An option the server does not take is reported, in a twistd
        command, in make run's ARGS and alone in a code span.
        """
        self.assertEqual(self.problems(
            "    twistd -n tpreactor --wrok 1\n\n`make run ARGS=\"--colour\"` and `--fast`\n"
        ), [
            "README.md: --wrok is no option of server",
            "README.md: --colour is no option of server",
            "README.md: --fast is no option of server",
        ])

    def test_twistdOptionAfterTpreactor(self):
        """
        twistd's own option after `tpreactor`, or in make run's ARGS rather
        than TWISTD_ARGS, is reported; before it, or in TWISTD_ARGS, it is
        not.
        """
        self.assertEqual(self.problems(
            "`twistd --logfile=x -n tpreactor` `twistd -n tpreactor --logfile=x`\n"
            "`make run TWISTD_ARGS=--logfile=x` `make run ARGS=--logfile=x`\n"
        ), [
            "README.md: --logfile=x is no option of server",
            "README.md: --logfile=x is no option of server",
        ])

    def test_clientAndBenchOptions(self):
        """
        The client's options are checked against the client's parser, and
        a bench scenario's against that scenario's.
        """
        self.assertEqual(self.problems(
            "    tpreactor-client --connect unix:/x --work 1\n"
            "    tpreactor-bench churn --in-flight 5 --burst\n"
            "    make client ARGS=\"--lang en --mode serial\"\n"
        ), [
            "README.md: --work is no option of client",
            "README.md: --burst is no option of bench churn",
            "README.md: --mode is no option of client",
        ])


class LayoutTests(SynchronousTestCase):
    def test_everyModuleListed(self):
        """
        Every module of the package is in the layout of docs/development.md,
        and every file the layout names exists.
        """
        block = layoutBlock()
        self.assertTrue(block, "docs/development.md has no Layout code block")
        listed = listedPaths(block)
        modules = {str(p.relative_to(ROOT)) for p in (ROOT / "tpreactor").rglob("*.py")}
        self.assertEqual(sorted(modules - listed), [], "modules missing from the layout in docs/development.md")
        self.assertEqual(sorted(p for p in listed if not (ROOT / p).exists()), [], "listed but not there")
