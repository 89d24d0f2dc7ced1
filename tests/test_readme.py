"""
Tests for README.md and the pages in docs/: every link resolves, and the
layout in docs/development.md names every module of the package and nothing
else.
"""

import re
import shutil
import tempfile
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent
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
