"""The explanation's templates and phrases, for the translators: where each is recorded (`explanation.add`,
`say`, `Sentence`, `phrase`), so that Django's makemessages finds them here (gettext_noop marks them and
returns them as they are). tests/customs/test_landed_cost_i18n.py reads the engine's source and checks that
this list holds every one of them and that each has a Chinese translation."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils.translation import gettext_noop

ENGINE = Path(__file__).resolve().parent
_RECORDERS = {"add", "add_to", "add_text", "say", "Sentence", "phrase"}


def templates_in_source() -> set[str]:
    """Every literal the engine records as a template or phrase (both branches of a conditional)."""
    found: set[str] = set()

    def literals(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return literals(node.body) + literals(node.orelse)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [left + right for left in literals(node.left) for right in literals(node.right)]
        return []

    for path in sorted(ENGINE.glob("*.py")):
        if path.name == "catalog.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _RECORDERS:
                    found.update(text for text in literals(node.args[0]) if text)
    return found



# The explanation's templates and phrases (see the module docstring); words for the values of {kind}.
TEMPLATES = (
    gettext_noop("VAT"), gettext_noop("GST"), gettext_noop("Consumption tax"), gettext_noop("Sales tax"),
    gettext_noop("mfn"),
    gettext_noop(' (illustrative figure)'),
    gettext_noop(' and purchases this year ({known}) {so_far:m} + {value:m} are within {annual} {legal} per person'),
    gettext_noop('; a single-item order within the annual limit may still enter through the CBEC channel at those full rates, counted toward the annual limit'),
    gettext_noop('Customs value {value:m} on a CIF basis: goods {goods:m} + shipping {shipping:m} + insurance {insurance:m}, transport apportioned over the lines by value ({source}).'),
    gettext_noop('Customs value {value:m} on an FOB basis: goods only; shipping {shipping:m} and insurance {insurance:m} are not dutiable ({source}).'),
    gettext_noop('DAP: duties, taxes and fees {charges:m} are an estimate, payable by the buyer on delivery; landed cost {landed:m} includes them.'),
    gettext_noop('DDP: duties, taxes and fees {charges:m} are paid with the order; landed cost {landed:m} = goods + shipping + insurance + duties, taxes and fees.'),
    gettext_noop('Destination {name} ({code}); customs territory {territory}; figures computed in {dest} and rounded to its minor unit at each figure, or cut down where its law says.'),
    gettext_noop('Destination {name} ({code}); customs territory {territory}; figures computed in {dest} and rounded to its minor unit at each figure.'),
    gettext_noop('Duty'),
    gettext_noop('Duty and tax payable {payable:m} is at or below {limit:m}, so it is waived ({source}).'),
    gettext_noop('Duty {total:m} cut to {payable:m}, the {unit:m} below, taken off the largest line ({source}).'),
    gettext_noop('Exchange rate: 1 {currency} = {rate:.6f} {dest} ({source}, {on}).'),
    gettext_noop('General trade applies: the buyer is a business, and {code} ({name}) is for consumers only ({source}).'),
    gettext_noop("General trade applies: the consumer's purchases this year {so_far:m} + this transaction {value:m} = {total:m} exceed the {code} annual limit of {annual} {legal} per person, so full duty and taxes are due ({source})."),
    gettext_noop("General trade applies: the consumer's {what} {value:m} is above the {code} limit of {max} {legal} per transaction, so full duty and taxes are due{single} ({source})."),
    gettext_noop('Import {name} {rate:pct} ({share:pct} of the statutory rate) on customs value {base:m} = {amount:m}, withheld at import by the e-commerce enterprise, platform or customs agent ({source}).'),
    gettext_noop('Import {name} {rate:pct} on {parts} {base:m} = {amount:m} ({source}; base: {base_source}).'),
    gettext_noop('Line {n} {code}: manual assessment: {reason}. Its duty is not in the totals.'),
    gettext_noop('Line {n} {code}: {rule}: {text} on customs value {value:m} = {base:m}; {reason} ({source}). Line duty {duty:m}.'),
    gettext_noop('Line {n} {code}: {rule}: {text} on customs value {value:m} cut to {cut:m} = {base:m}; {reason} ({source}). Line duty {duty:m}.'),
    gettext_noop('Line {n}: {name} base: customs value {value:m} + duty {duty:m} = {sum:m}, cut to {base:m}; national {national_rate:pct} = {national:m}; local {local_share} of {local_base:m} = {local:m} ({source}).'),
    gettext_noop('Line {n}: {name} base: customs value {value:m} + duty {duty:m} = {sum:m}, cut to {base:m}; {rate:pct} = {national:m} ({source}).'),
    gettext_noop('MFN (third-country) duty of the tariff line in force'),
    gettext_noop('No import {tax}: the consignment is under the tax de minimis.'),
    gettext_noop('No {kind} de minimis is configured for {code}.'),
    gettext_noop('No {kind} de minimis on {on}: {note} ({source}).'),
    gettext_noop('No {kind} de minimis: {kind} is due from the first {currency} ({source}).'),
    gettext_noop('Restriction ({kind}) for HS {prefix} in {where}: {wording} ({authority}; {source}).'),
    gettext_noop('Some lines need manual assessment: their duty is not included, so the totals are a floor.'),
    gettext_noop('Tax'),
    gettext_noop('Totals shown in {out} at 1 {dest} = {rate:.6f} {out} ({source}, {on}).'),
    gettext_noop('customs value'),
    gettext_noop('customs value + duty'),
    gettext_noop('customs value + duty + shipping and insurance'),
    gettext_noop('customs value + shipping and insurance'),
    gettext_noop('dutiable price (goods + freight + insurance)'),
    gettext_noop('duty'),
    gettext_noop('given'),
    gettext_noop('goods + shipping and insurance'),
    gettext_noop('goods only'),
    gettext_noop('goods value'),
    gettext_noop('intrinsic value (goods)'),
    gettext_noop('not given, taken as none'),
    gettext_noop('tax'),
    gettext_noop('{Kind} de minimis applied: consignment {what} {value:m} is at or below {limit:m}{legal}, so no {kind} is charged ({source}).'),
    gettext_noop('{Kind} de minimis not applied: consignment {what} {value:m} is above {limit:m}{legal} ({source}).'),
    gettext_noop('{code} applies: the buyer is a consumer, the {what} {value:m} is within {max} {legal} per transaction{annual_text}; the goods are taken to be on the CBEC positive list (not held here; the seller confirms) ({source}).'),
    gettext_noop('{name} applies from {start}: {wording} ({source}).'),
    gettext_noop('{name} charges no import VAT/GST at the border. {notes}'),
    gettext_noop('{name} {rate:pct} collected at the point of sale by the seller or marketplace, on the sale price ({what}) {base:m} = {amount:m} ({source}).'),
    gettext_noop('{name}: national {national:m} cut to {national_payable:m}, local {local:m} cut to {local_payable:m}, the {unit:m} below; {excess:m} taken off the largest line ({source}).'),
    gettext_noop('{name}: national {national:m} cut to {national_payable:m}, the {unit:m} below; {excess:m} taken off the largest line ({source}).'),
    gettext_noop('{name}: {amount:m}{flag} ({source}).'),
)
