import json
import os
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("The declarations of the clearance cases declared in a period (both days included), in the EU's H7 "
            "data set (--standard h7, the default) or the WCO Data Model (--standard wco), as JSON or XML, to a "
            "file or stdout. Declarations that fail validation are listed under 'refused' with their violations "
            "(and counted on stderr), never exported as valid. A bad period or option writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="syntax", default="json", help="json (default) or xml")
        parser.add_argument("--standard", default="h7", help="h7 (default: the EU's H7) or wco (the WCO Data Model)")
        parser.add_argument("--output", default=None, help="the file to write (default: stdout)")

    def handle(self, *args, start: str, end: str, syntax: str, standard: str, output: str | None, **options):
        from customs import selectors
        from ewtp.exceptions import ApplicationError

        if syntax not in ("json", "xml"):
            raise CommandError(f"--format: {syntax!r} is neither json nor xml")
        if standard not in selectors.STANDARDS:
            raise CommandError(f"--standard: {standard!r} is neither h7 nor wco")
        try:
            first, last = selectors.export_period(start=start, end=end)
        except ApplicationError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        export = selectors.cases_export(start=first, end=last, standard=standard)
        text = _xml(export, standard) if syntax == "xml" else json.dumps(export, indent=2, ensure_ascii=False) + "\n"
        if output:
            _write_atomically(Path(output), text)
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(f"{len(export['declarations'])} declaration(s) exported, {len(export['refused'])} refused "
                          f"(failing validation), declared {first} to {last}.")


def _write_atomically(path: Path, text: str) -> None:
    """All or nothing: a half-written file never takes the name."""
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _xml(export: dict, standard: str) -> str:
    from customs.domain.declarations import wco
    from customs.domain.declarations.h7 import xml_element as element

    root = ElementTree.Element(f"{export['dataset']}Export", {"from": export["from"], "to": export["to"]})
    for entry in export["declarations"]:
        node = ElementTree.SubElement(root, "Declaration", {"case": str(entry["case"]),
                                                            "shipmentReference": entry["shipment_reference"]})
        if standard == "h7":
            node.append(element("H7Declaration", entry["declaration"]))
        else:
            document = ElementTree.SubElement(node, "WCODeclaration")
            for key, value in entry["declaration"].items():
                wco.xml_append(document, key, value)
    for entry in export["refused"]:
        node = ElementTree.SubElement(root, "Refused", {"case": str(entry["case"]),
                                                        "shipmentReference": entry["shipment_reference"]})
        for violation in entry["violations"]:
            ElementTree.SubElement(node, "Violation", {"element": violation["element"], "path": violation["path"]}
                                   ).text = violation["message"]
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
