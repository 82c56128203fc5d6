"""The explanation: one sentence per figure and rule, recorded as a template and its values while the quote
is worked out, rendered on first read (catalog pages ask for thousands of totals and read few explanations).

In a template, `{x:m}` is an amount in the quote's currency ("1,234.50 GBP") and `{x:pct}` a percent rate
("20%"); other specs format the value as usual.

Languages: the templates are English and are translated when read, in the reader's language (the active
Django language: gettext looks the template up in the catalog, locale/zh_Hans/LC_MESSAGES/django.po), so
recording a sentence costs the same in every language and English is rendered as before. A value that is
itself words of ours (marked by `phrase`: "duty", "customs value") is translated with its sentence; a `Sentence`
(prepared once per destination and date) is rendered once per language and may be a value too. Names,
sources and legal wording from the reference data stay as published.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter

from django.conf import settings
from django.utils.translation import get_language, gettext

from ewtp.money import quantum

_COMPILED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


def _compile(template: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(plain template, money fields, percent fields): the template with its own specs taken out, compiled
    once per template."""
    found = _COMPILED.get(template)
    if found is None:
        parts, money, pct = [], [], []
        for literal, name, spec, conversion in Formatter().parse(template):
            parts.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            if spec == "m":
                money.append(name)
                spec = ""
            elif spec == "pct":
                pct.append(name)
                spec = ""
            parts.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
        found = _COMPILED[template] = ("".join(parts), tuple(money), tuple(pct))
    return found


def render(template: str, values: dict, currency: str) -> str:
    """The sentence in English; its amounts and rates in `values` are replaced by their text (which reads
    the same in every language)."""
    plain, money, pct = _COMPILED.get(template) or _compile(template)
    if money:
        q = quantum(currency)
        for name in money:  # as fmt does
            values[name] = f"{values[name].quantize(q, ROUND_HALF_UP):,} {currency}"
    for name in pct:
        values[name] = f"{values[name].normalize():f}%"
    return plain.format_map(values)


def render_in(template: str, values: dict, currency: str, translate, language: str) -> str:
    """The sentence translated by `translate` (gettext, in `language`): its template, its `phrase` values and
    its `Sentence` values, from a copy of `values` (the recorded ones stay as they are, or as `render` left
    them: amounts already in text)."""
    values = {name: translate(value) if value.__class__ is str and value in PHRASES
              else value.text(translate, language) if isinstance(value, Sentence) else value
              for name, value in values.items()}
    template = translate(template)
    plain, money, pct = _COMPILED.get(template) or _compile(template)
    q = quantum(currency)
    for name in money:
        amount = values[name]
        if not isinstance(amount, str):
            values[name] = f"{amount.quantize(q, ROUND_HALF_UP):,} {currency}"
    for name in pct:
        rate = values[name]
        if not isinstance(rate, str):
            values[name] = f"{rate.normalize():f}%"
    return plain.format_map(values)


PHRASES: set[str] = set()


def phrase(text: str) -> str:
    """Words of ours given as a value ("duty", "customs value"): translated with the sentence when read in
    another language. The text itself is returned, a plain str (a str subclass would slow every English
    sentence's formatting); it is remembered here."""
    if text:
        PHRASES.add(text)
    return text


class Sentence(str):
    """A sentence prepared once (per destination and date: the opening, an exchange rate, a threshold not
    met): the English text, as it was rendered, that renders itself once per other language it is read in."""

    def __new__(cls, template: str, values: dict, currency: str) -> Sentence:
        sentence = super().__new__(cls, render(template, dict(values), currency))
        sentence.template, sentence.values, sentence.currency = template, values, currency
        sentence.rendered = {}
        return sentence

    def __reduce__(self):  # a cached quote (pickled) keeps its sentences
        return _sentence, (str(self), self.template, self.values, self.currency, self.rendered)

    def text(self, translate=None, language: str | None = None) -> str:
        """The sentence in English, or with `translate` in `language` (by default the active one)."""
        if translate is None:
            return str(self)
        if language is None:
            language = reading_language()
        found = self.rendered.get(language)
        if found is None:
            found = self.rendered[language] = render_in(self.template, self.values, self.currency, translate,
                                                        language)
        return found


def _sentence(english: str, template: str, values: dict, currency: str, rendered: dict) -> Sentence:
    sentence = str.__new__(Sentence, english)
    sentence.template, sentence.values, sentence.currency, sentence.rendered = template, values, currency, rendered
    return sentence


def reading_language() -> str:
    """The active language when it is not English ("zh-hans"), else "" (read as written). Outside a
    configured Django (a benchmark, a script) there is none: the engine needs no settings."""
    if not settings.configured:
        return ""
    language = get_language()
    return "" if not language or language.startswith("en") else language


def fmt(amount: Decimal, currency: str) -> str:
    """An amount as the explanation writes it: "1,234.50 GBP"."""
    return f"{amount.quantize(quantum(currency), ROUND_HALF_UP):,} {currency}"


class Explanation:
    """The quote's sentences, recorded as templates and values and rendered on first read, in the reader's
    language. Amounts stay Decimals until then; each sentence is rendered once per language."""

    __slots__ = ("_trace", "_lines", "currency")

    def __init__(self, currency: str = "") -> None:
        self._trace: list[tuple[str, dict | tuple[dict, dict] | None]] = []
        self._lines: dict[str, list[str]] = {}
        self.currency = currency

    @classmethod
    def of_lines(cls, lines: Iterable[str], currency: str = "") -> Explanation:
        """An explanation already rendered, as a stored quote holds it."""
        explanation = cls(currency)
        explanation._trace = [(line, None) for line in lines]
        return explanation

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Explanation) and self.lines() == other.lines()

    __hash__ = None  # type: ignore[assignment]  # equal by its sentences, which grow

    def add(self, template: str, **values: object) -> None:
        self._trace.append((template, values))

    def add_to(self, template: str, prepared: dict, **values: object) -> None:
        """`add` with values prepared once (per destination and date) beside the quote's own."""
        self._trace.append((template, (prepared, values)))

    def add_text(self, text: str) -> None:
        """A sentence prepared earlier: a `Sentence` (rendered once per language), or text as it stands."""
        self._trace.append((text, None))

    def lines(self, *, english: bool = False) -> list[str]:
        """The sentences in the active language (English unless another is active, or when asked: a stored
        record keeps them in English whoever placed it)."""
        language = "" if english else reading_language()
        done = self._lines.get(language)
        if done is None:
            done = self._lines[language] = []
        if len(done) < len(self._trace):
            currency = self.currency
            if not language:
                done.extend(
                    template if not values else render(template, values, currency) if isinstance(values, dict)
                    else render(template, {**values[0], **values[1]}, currency)
                    for template, values in self._trace[len(done):])
            else:
                done.extend(
                    (template.text(gettext, language) if isinstance(template, Sentence) else template)
                    if values is None else render_in(template, values, currency, gettext, language)
                    if isinstance(values, dict) else render_in(template, {**values[0], **values[1]}, currency,
                                                               gettext, language)
                    for template, values in self._trace[len(done):])
        return done
