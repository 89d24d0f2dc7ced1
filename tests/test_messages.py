"""
Tests for L{tpreactor.messages}: the dates and elapsed times of the contract,
and the one catalogue of every text in both languages.
"""

from datetime import datetime

from twisted.trial.unittest import SynchronousTestCase

from tpreactor.messages import (
    CATALOGUES,
    ENGLISH,
    LANGUAGES,
    SPANISH,
    DatedLines,
    catalogue,
    formatDate,
    formatElapsed,
    plural,
)


class DateTests(SynchronousTestCase):
    def test_spanish(self):
        """
        Spanish dates read C{13 de mayo a las 15:05 hs}: day without a zero,
        month in lower case, 24-hour clock.
        """
        self.assertEqual(formatDate(SPANISH, datetime(2024, 5, 13, 15, 5)), "13 de mayo a las 15:05 hs")
        self.assertEqual(formatDate(SPANISH, datetime(2024, 9, 3, 9, 7)), "3 de septiembre a las 09:07 hs")

    def test_english(self):
        """
        English dates read C{May 13 at 15:05}.
        """
        self.assertEqual(formatDate(ENGLISH, datetime(2024, 5, 13, 15, 5)), "May 13 at 15:05")
        self.assertEqual(formatDate(ENGLISH, datetime(2024, 12, 1, 23, 59)), "December 1 at 23:59")

    def test_welcomeBothLanguages(self):
        """
        The welcome line of each language, for a fixed date.
        """
        when = datetime(2024, 5, 13, 15, 15)
        self.assertEqual(
            SPANISH.welcome.format(date=formatDate(SPANISH, when)),
            "Servidor: Conexión establecida el 13 de mayo a las 15:15 hs. Puedes enviar mensajes al servidor.",
        )
        self.assertEqual(
            ENGLISH.welcome.format(date=formatDate(ENGLISH, when)),
            "Server: Connection established on May 13 at 15:15. You can send messages to the server.",
        )

    def test_unknownLanguage(self):
        """
        An unknown language is a KeyError that names the ones there are.
        """
        with self.assertRaises(KeyError) as raised:
            catalogue("fr")
        self.assertIn("es, en", str(raised.exception))


class DatedLinesTests(SynchronousTestCase):
    def test_encodedLines(self):
        """
        The welcome comes encoded and ended, the start of a reply encoded.
        """
        welcome, prefix = DatedLines(SPANISH).at(datetime(2024, 5, 13, 15, 15, 30))
        self.assertEqual(
            welcome.decode("utf-8"),
            "Servidor: Conexión establecida el 13 de mayo a las 15:15 hs. Puedes enviar mensajes al servidor.\n",
        )
        self.assertEqual(
            prefix.decode("utf-8"), "Mensaje Recibido el 13 de mayo a las 15:15 hs. Tiempo transcurrido desde la conexión: "
        )

    def test_oncePerMinute(self):
        """
        Every connection of a minute shares the lines made for it; the next
        minute gets its own.
        """
        lines = DatedLines(ENGLISH)
        first = lines.at(datetime(2024, 5, 13, 15, 15, 0))
        self.assertIs(lines.at(datetime(2024, 5, 13, 15, 15, 59, 999999)), first)
        later = lines.at(datetime(2024, 5, 13, 15, 16))
        self.assertIn(b"May 13 at 15:16", later[0])


class ElapsedTests(SynchronousTestCase):
    def test_underAMinute(self):
        """
        Under a minute reads C{0:01:03.905295}.
        """
        self.assertEqual(formatElapsed(63.905295), "0:01:03.905295")

    def test_pastAnHour(self):
        """
        Past an hour the hours show: C{3:02:01.500000}.
        """
        self.assertEqual(formatElapsed(3 * 3600 + 2 * 60 + 1.5), "3:02:01.500000")

    def test_pastADay(self):
        """
        Past a day it reads like C{str(timedelta)}: C{1 day, 1:01:01}.
        """
        self.assertEqual(formatElapsed(86400 + 3661), "1 day, 1:01:01")
        self.assertEqual(formatElapsed(2 * 86400), "2 days, 0:00:00")

    def test_neverNegative(self):
        """
        A negative elapsed time reads as zero.
        """
        self.assertEqual(formatElapsed(-0.5), "0:00:00")


class TextsTests(SynchronousTestCase):
    def test_bothLanguages(self):
        """
        Both languages have every text, and the contract's exact ones.
        """
        self.assertEqual(set(CATALOGUES), {"es", "en"})
        self.assertEqual(catalogue("es").socketClosed, "Socket del servidor cerrado.")
        self.assertEqual(catalogue("es").allClosed, "Todas las conexiones activas han sido cerradas.")
        self.assertEqual(catalogue("en").socketClosed, "Server socket closed.")
        self.assertEqual(catalogue("en").allClosed, "All active connections have been closed.")
        self.assertEqual(catalogue("es").listWaiting.format(waiting=2), ", en espera: 2")
        self.assertEqual(catalogue("en").listWaiting.format(waiting=2), ", waiting: 2")

    def test_everyLanguageHasACatalogue(self):
        """
        Every language C{--lang} offers has its catalogue, and no other.
        """
        self.assertEqual(sorted(CATALOGUES), sorted(LANGUAGES))
        for lang in LANGUAGES:
            self.assertEqual(catalogue(lang).lang, lang)

    def test_oneCatalogueForWireConsoleAndShutdown(self):
        """
        The wire, the console lines and the operator's texts come from the
        same catalogue.
        """
        for cat in (SPANISH, ENGLISH):
            self.assertTrue(cat.welcome and cat.received and cat.question and cat.shutdownStarted)
            self.assertEqual(len(cat.options), 3)


class PluralTests(SynchronousTestCase):
    def test_spanish(self):
        """
        Spanish counts take CLDR's forms: one for 1, other for 0 and 2, many's text (other) for a million.
        """
        forms = SPANISH.graceOver
        texts = [plural(SPANISH, forms, n).format(grace=1, count=n, peers="-") for n in (0, 1, 2, 1_000_000)]
        self.assertEqual([t.split(":")[1].split(";")[0].strip() for t in texts], [
            "se cierran de inmediato 0 conexiones", "se cierra de inmediato 1 conexión",
            "se cierran de inmediato 2 conexiones", "se cierran de inmediato 1000000 conexiones",
        ])

    def test_english(self):
        """
        English counts take CLDR's forms: one for 1, other for 0 and many.
        """
        forms = ENGLISH.statusPage["messagesCount"]
        self.assertEqual([plural(ENGLISH, forms, n).format(count=n) for n in (0, 1, 7)],
                         ["0 messages", "1 message", "7 messages"])

    def test_everyPluralHasOther(self):
        """
        Every text with plural forms has the other form, which any count falls back to.
        """
        for cat in (SPANISH, ENGLISH):
            for forms in (cat.openFileBound, cat.graceOver, cat.cutShort, cat.statusPage["messagesCount"]):
                self.assertIn("other", forms)
                self.assertIn("one", forms)
