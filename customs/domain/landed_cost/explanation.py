"""The explanation: one sentence per figure and rule, recorded as a template and its values while the quote
is worked out, rendered on first read (catalog pages ask for thousands of totals and read few explanations).

In a template, `{x:m}` is an amount in the quote's currency ("1,234.50 GBP") and `{x:pct}` a percent rate
("20%"); other specs format the value as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter

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
    """The sentence; its amounts and rates in `values` are replaced by their text."""
    plain, money, pct = _COMPILED.get(template) or _compile(template)
    if money:
        q = quantum(currency)
        for name in money:  # as fmt does
            values[name] = f"{values[name].quantize(q, ROUND_HALF_UP):,} {currency}"
    for name in pct:
        values[name] = f"{values[name].normalize():f}%"
    return plain.format_map(values)


def fmt(amount: Decimal, currency: str) -> str:
    """An amount as the explanation writes it: "1,234.50 GBP"."""
    return f"{amount.quantize(quantum(currency), ROUND_HALF_UP):,} {currency}"


class Explanation:
    """The quote's sentences, recorded as templates and values and rendered on first read. Amounts stay
    Decimals until then; each sentence is rendered once."""

    __slots__ = ("_trace", "_lines", "currency")

    def __init__(self, currency: str = "") -> None:
        self._trace: list[tuple[str, dict | tuple[dict, dict] | None]] = []
        self._lines: list[str] = []
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
        """A sentence already rendered (one that depends only on the destination and the date)."""
        self._trace.append((text, None))

    def lines(self) -> list[str]:
        done = self._lines
        if len(done) < len(self._trace):
            currency = self.currency
            done.extend(
                template if not values else render(template, values, currency) if isinstance(values, dict)
                else render(template, {**values[0], **values[1]}, currency)
                for template, values in self._trace[len(done):])
        return done
