"""
Tests for L{tpreactor.commandline}: the server's command line speaks the
language of --lang (Spanish by default), usage errors are one line and a
pointer to --help, and --help comes from the catalogue.
"""

import socket
import subprocess

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from tpreactor.commandline import langIn
from tpreactor.tap import Options

from .support import TWISTD, temporaryFolder

SPANISH_HINT = "Prueba 'twistd tpreactor --help' para ver las opciones."
ENGLISH_HINT = "Try 'twistd tpreactor --help' for the options."


def twistd(testCase, *args, twistdArgs=("--pidfile=",)):
    """
    Run C{twistd -n TWISTDARGS tpreactor ARGS} in a folder of its own; the
    finished process, its output as text.
    """
    return subprocess.run(
        [TWISTD, "-n", *twistdArgs, "tpreactor", *args], capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL, cwd=temporaryFolder(testCase),
    )


def parse(*args):
    options = Options()
    options.parseOptions(list(args))
    return options


class LangInTests(SynchronousTestCase):
    def langIn(self, *args):
        options = Options()
        return langIn(list(args), options.shortOpt, options.longOpt, "es")

    def test_everyWayOfGivingIt(self):
        """
        --lang is found however getopt would take it, and the last one counts.
        """
        for args in (["--lang", "en"], ["--lang=en"], ["-l", "en"], ["-len"], ["--la", "en"],
                     ["-qlen"], ["--mode", "serial", "-l", "es", "--lang", "en"]):
            self.assertEqual(self.langIn(*args), "en", args)

    def test_pastABadOption(self):
        """
        A bad option or value before --lang does not hide it.
        """
        self.assertEqual(self.langIn("--work", "soon", "--bogus", "--lang", "en"), "en")

    def test_notAValue(self):
        """
        "-l" as another option's value, or after the arguments end, is not --lang.
        """
        self.assertEqual(self.langIn("--listen", "-l", "en"), "es")
        self.assertEqual(self.langIn("--", "--lang", "en"), "es")
        self.assertEqual(self.langIn(), "es")


class UsageErrorTests(SynchronousTestCase):
    def assertUsageError(self, args, text):
        with self.assertRaises(usage.UsageError) as raised:
            parse(*args)
        self.assertEqual(str(raised.exception), text)

    def test_spanishByDefault(self):
        """
        The usage errors are Spanish without --lang.
        """
        self.assertUsageError(["--mode", "foo"], "modo desconocido 'foo'; elige uno de: reactor, serial, processes")
        self.assertUsageError(["--port", "x"], "--port debe ser un número de puerto TCP (0-65535), no 'x'")
        self.assertUsageError(["--threads", "0"], "--threads debe ser un número mayor que 0, no '0'")
        self.assertUsageError(["--work", "-1"], "--work debe ser un número mayor o igual que 0, no '-1'")
        self.assertUsageError(["--work-kind", "gpu"], "tipo de trabajo desconocido 'gpu'; elige uno de: sleep, cpu")
        self.assertUsageError(["--listen", "tcp:x"], "endpoint incorrecto 'tcp:x:backlog=1024': "
                                                     "invalid literal for int() with base 10: 'x'")
        self.assertUsageError(["--bogus"], "opción desconocida: --bogus")
        self.assertUsageError(["--work"], "la opción --work necesita un valor")
        self.assertUsageError(["--quiet=yes"], "la opción --quiet no lleva valor")
        self.assertUsageError(["--max"], "la opción --max es ambigua: es el comienzo de varias")
        self.assertUsageError(["extra"], "Número de argumentos incorrecto.")

    def test_englishAfterTheBadOption(self):
        """
        --lang en after the bad option still makes the error English, with
        the texts as they were.
        """
        self.assertUsageError(["--work", "soon", "--lang", "en"], "--work must be a number at least 0, not 'soon'")
        self.assertUsageError(["--bogus", "--lang", "en"], "option --bogus not recognized")
        self.assertUsageError(["--port", "x", "-l", "en"], "--port must be a TCP port number (0-65535), not 'x'")

    def test_coercerAlone(self):
        """
        A coercer called by itself (as Twisted's completion does) still
        raises ValueError in English.
        """
        coerce = dict((p[0], p[4]) for p in Options.optParameters if len(p) > 4)["work"]
        self.assertEqual(coerce("0.5"), 0.5)
        with self.assertRaises(ValueError) as raised:
            coerce("soon")
        self.assertEqual(str(raised.exception), "--work must be a number at least 0, not 'soon'")


class HelpTests(SynchronousTestCase):
    def test_spanishHelp(self):
        """
        The help is Spanish by default: heading, every option, the defaults,
        the mode summaries and the long description.
        """
        text = " ".join(str(Options()).split())
        for shown in ("Opciones:", "Modo de concurrencia: reactor: concurrencia real:",
                      "Hilos de trabajo en modo reactor. [por defecto: 10]",
                      "Por defecto: desactivado, 300 en modo serial.",
                      "Escuchar en este endpoint (se puede repetir).", "Mostrar esta ayuda y salir.",
                      "Un servidor de líneas"):
            self.assertIn(shown, text)
        for english in ("Options:", "[default:", "Worker", "Listen on", "Display"):
            self.assertNotIn(english, text)

    def test_englishHelpAsItWas(self):
        """
        With --lang en the help is the English it always was.
        """
        text = " ".join(str(Options("en")).split())
        for shown in ("Options:", "Worker threads in reactor mode. [default: 10]",
                      "Listen on this endpoint (repeatable).", "Display this help and exit.",
                      "A line server that welcomes each client"):
            self.assertIn(shown, text)


class TwistdUsageTests(SynchronousTestCase):
    """
    A real C{twistd tpreactor} with bad options: one line, a pointer to
    --help, exit status 2, no usage dump.
    """

    def test_badModeInSpanish(self):
        """
        By default the error and the pointer are Spanish, on stderr, and
        nothing else is printed.
        """
        result = twistd(self, "--mode", "foo")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr.splitlines(), [
            "tpreactor: modo desconocido 'foo'; elige uno de: reactor, serial, processes", SPANISH_HINT,
        ])

    def test_langAfterTheBadOption(self):
        """
        --lang en after the bad value makes both lines English.
        """
        result = twistd(self, "--work", "soon", "--lang", "en")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.splitlines(), [
            "tpreactor: --work must be a number at least 0, not 'soon'", ENGLISH_HINT,
        ])

    def test_unknownOption(self):
        """
        An option we do not have is one Spanish line too, not the usage.
        """
        result = twistd(self, "--bogus")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout + result.stderr, f"tpreactor: opción desconocida: --bogus\n{SPANISH_HINT}\n")

    def test_help(self):
        """
        twistd tpreactor --help is Spanish, or English with --lang en (even
        after --help); both exit 0.
        """
        spanish = twistd(self, "--help")
        self.assertEqual(spanish.returncode, 0)
        self.assertTrue(spanish.stdout.startswith("Uso: twistd [opciones] tpreactor [opciones]\nOpciones:\n"))
        self.assertIn("Idioma de todos los textos: es, en.", spanish.stdout)
        english = twistd(self, "--help", "--lang", "en")
        self.assertEqual(english.returncode, 0)
        self.assertTrue(english.stdout.startswith("Usage: twistd [options] tpreactor [options]\nOptions:\n"))
        self.assertIn("Language of every text: es, en.", english.stdout)

    def test_portInUseInSpanish(self):
        """
        A port already in use is one Spanish line, with the system's reason
        in Spanish too.
        """
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = twistd(self, "--port", str(port))
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("Traceback", result.stdout + result.stderr)
        self.assertIn(
            f"tpreactor: no se puede escuchar en tcp:{port}:interface=127.0.0.1:backlog=1024: "
            "La dirección ya está en uso", result.stdout + result.stderr,
        )
