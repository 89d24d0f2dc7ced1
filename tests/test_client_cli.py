"""
Unit tests for L{tpreactor.client.cli}: the command line as data, and the
client's texts in both languages.
"""

import io
import os
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from tests.support import temporaryFolder
from tpreactor.client import cli as client
from tpreactor.client.connect import CANNOT_CONNECT, REFUSED, TIMED_OUT, UNKNOWN_HOST
from tpreactor.messages import catalogue

ES, EN = catalogue("es").client, catalogue("en").client


class ArgumentTests(SynchronousTestCase):
    """
    The command line, checked as data.
    """

    def parse(self, *argv):
        from twisted.internet.testing import MemoryReactorClock

        return client.parseArguments(MemoryReactorClock(), list(argv))

    def parseError(self, *argv):
        stderr = io.StringIO()
        self.patch(client.sys, "stderr", stderr)
        with self.assertRaises(SystemExit) as caught:
            self.parse(*argv)
        self.assertEqual(caught.exception.code, client.BAD_ARGUMENTS)
        return stderr.getvalue()

    def test_defaults(self):
        options, target = self.parse()
        self.assertEqual((target.host, target.port), ("127.0.0.1", "6667"))
        self.assertEqual(options.lang, "es")
        self.assertEqual(options.timeout, client.DEFAULT_TIMEOUT_SECONDS)

    def test_hostAndPort(self):
        options, target = self.parse("::1", "7000", "--lang", "en", "--timeout", "2")
        self.assertEqual((target.host, target.port), ("::1", "7000"))
        self.assertEqual((options.lang, options.timeout), ("en", 2.0))

    def test_connect(self):
        options, target = self.parse("--connect", "unix:/tmp/tp.sock")
        self.assertEqual((target.host, target.port), ("/tmp/tp.sock", None))

    def test_tcp6(self):
        """
        C{tcp6:}, which Twisted's C{clientFromString} lacks, is read here.
        """
        from twisted.internet.endpoints import TCP6ClientEndpoint

        options, target = self.parse("--connect", "tcp6:\\:\\:1:6667:timeout=3")
        self.assertIsInstance(target.endpoint, TCP6ClientEndpoint)
        self.assertEqual((target.host, target.port), ("::1", "6667"))

    def test_badTcp6(self):
        self.assertIn("tcp6 takes", self.parseError("--connect", "tcp6:\\:\\:1:6667:x=1", "--lang", "en"))

    def test_badPort(self):
        """
        A bad port is one line on stderr, without the usage.
        """
        out = self.parseError("localhost", "70000", "--lang", "en")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("invalid port", out)

    def test_badTimeout(self):
        self.assertIn("--timeout", self.parseError("--timeout", "-1"))

    def test_badEndpoint(self):
        out = self.parseError("--connect", "nosuch:thing", "--lang", "en")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("bad endpoint", out)

    def test_trustRootsNotCertificates(self):
        """
        A C{trustRoots} folder holding something that is not a certificate is
        one line on stderr, not OpenSSL's traceback.
        """
        folder = temporaryFolder(self)
        with open(os.path.join(folder, "key.pem"), "w") as f:
            f.write("not a certificate\n")
        out = self.parseError("--connect", f"tls:localhost:6697:trustRoots={folder}", "--lang", "en")
        self.assertEqual(out.count("\n"), 1)
        self.assertIn("bad endpoint", out)
        self.assertIn("PEM", out)

    def test_connectAndHost(self):
        self.assertIn("not both", self.parseError("localhost", "--connect", "tcp:localhost:1", "--lang", "en"))

    def test_badLanguage(self):
        self.assertIn("--lang", self.parseError("--lang", "fr"))

    def test_spanishByDefault(self):
        """
        Without --lang the errors are Spanish, argparse's own included, and
        a --lang after the bad argument still counts.
        """
        self.assertEqual(self.parseError("localhost", "70000"),
                         "tpreactor-client: error: argumento port: puerto no válido '70000' (1-65535)\n")
        self.assertEqual(self.parseError("--bogus"), "tpreactor-client: error: argumentos no reconocidos: --bogus\n")
        self.assertEqual(self.parseError("--timeout"),
                         "tpreactor-client: error: el argumento --timeout necesita un valor\n")
        self.assertEqual(self.parseError("--lang", "fr"),
                         "tpreactor-client: error: argumento --lang: valor no válido: 'fr' (elige entre 'es', 'en')\n")
        self.assertEqual(self.parseError("h", "--connect", "tcp:h:1"),
                         "tpreactor-client: error: da HOST [PUERTO] o --connect, no los dos\n")
        self.assertIn("endpoint incorrecto 'nosuch:1'", self.parseError("--connect", "nosuch:1"))
        self.assertEqual(self.parseError("--timeout", "0", "--lang", "en"),
                         "tpreactor-client: error: argument --timeout: invalid number of seconds '0'\n")

    def test_helpInBothLanguages(self):
        """
        --help is Spanish by default and English with --lang en, with every
        heading argparse adds.
        """
        spanish = client.buildParser().format_help()
        for shown in ("uso: tpreactor-client", "argumentos posicionales:", "opciones:", "mostrar esta ayuda y salir",
                      "--timeout SEGUNDOS", "código de salida:", "Conversa con un servidor tpreactor"):
            self.assertIn(shown, spanish)
        english = client.buildParser("en").format_help()
        for shown in ("usage: tpreactor-client", "positional arguments:", "options:", "show this help message",
                      "--timeout SECONDS", "exit status:", "Talk to a tpreactor server"):
            self.assertIn(shown, english)
        self.assertEqual(client.EXIT_STATUSES, english[english.index("exit status:"):])

    def test_helpListsExitStatuses(self):
        """
        C{--help} lists every exit status.
        """
        text = client.buildParser().format_help()
        for status in (0, 1, 2, REFUSED, UNKNOWN_HOST, TIMED_OUT, CANNOT_CONNECT, 130):
            self.assertRegex(text, rf"\n  {status} +\S")


class CommandLineTests(SynchronousTestCase):
    """
    The real C{tpreactor-client} with bad arguments or --help.
    """

    def runClient(self, *args):
        return subprocess.run([sys.executable, "-m", "tpreactor.client", *args], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    def test_badPortInSpanish(self):
        """
        A bad port is one Spanish line on stderr by default, status 2.
        """
        result = self.runClient("127.0.0.1", "notaport")
        self.assertEqual(result.returncode, client.BAD_ARGUMENTS)
        self.assertEqual((result.stdout, result.stderr),
                         ("", "tpreactor-client: error: argumento port: puerto no válido 'notaport' (1-65535)\n"))

    def test_help(self):
        """
        --help is Spanish by default, English with --lang en.
        """
        self.assertTrue(self.runClient("--help").stdout.startswith("uso: tpreactor-client"))
        self.assertTrue(self.runClient("--help", "--lang", "en").stdout.startswith("usage: tpreactor-client"))


class TextsTests(SynchronousTestCase):
    """
    The client's texts, in both languages, as the contract writes them.
    """

    def test_sameFields(self):
        self.assertEqual({catalogue(lang).client.prompt for lang in ("es", "en")}, {ES.prompt, EN.prompt})

    def test_contractWording(self):
        self.assertEqual(ES.connecting.format(host="h", port=1), "Conectando a h puerto 1")
        self.assertEqual(EN.connecting.format(host="h", port=1), "Connecting to h port 1")
        self.assertEqual((ES.prompt, EN.prompt), ("Mensaje para el servidor: ", "Message for the server: "))
        self.assertEqual(ES.closing, "Cerrando conexión con el servidor...")
        self.assertEqual(EN.closing, "Closing the connection with the server...")
        self.assertEqual(ES.serverClosed, "La conexión con el servidor se cerró.")
        self.assertEqual(EN.serverClosed, "The connection with the server was closed.")
        self.assertEqual((ES.closingSocket, EN.closingSocket), ("Cerrando socket", "Closing socket"))
