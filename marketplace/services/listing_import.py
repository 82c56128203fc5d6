"""Bulk import: a spreadsheet of listings checked row by row (created, updated by SKU, or the column
and reason of the error), written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from accounts.services import seller_company
from ewtp.exceptions import ApplicationError, Conflict
from ewtp.numbers import is_whole_number, parse_decimal, parse_int
from marketplace import search
from marketplace.domain import spreadsheet
from marketplace.models import Category, Listing, PriceTier
from marketplace.services.listings import LISTING_FIELDS, check_listing, check_publishable, check_tiers

IMPORT_MAX_BYTES = 10 * 1024 * 1024


IMPORT_FIELD_COLUMNS = {"price_amount": "price", "title_zh": "title_zh", "title_en": "title_en"}


@dataclass
class ImportReport:
    rows: list[dict] = dataclass_field(default_factory=list)  # {row, sku, action: created|updated|error, column, message}
    written: bool = False
    dry_run: bool = True
    error: str = ""  # the file as a whole could not be read
    error_column: str | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)

    @property
    def errors(self) -> int:
        return self.count("error")

    def as_json(self) -> dict:
        return {"written": self.written, "dry_run": self.dry_run, "error": self.error or None,
                "created": self.count("created"), "updated": self.count("updated"), "errors": self.errors,
                "rows": self.rows}


_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False,
        "": None}


def _row_listing(values: dict, *, company: Company, existing: Listing | None, categories: dict) -> tuple:
    """(listing not saved, tiers, column of the first problem or None, message)."""
    listing = existing or Listing(company=company, currency=company.currency)
    column = None
    try:
        for key in ("title_en", "title_zh", "description_en", "description_zh", "hs_code", "origin_country"):
            if key in values:
                column = key
                setattr(listing, key, values[key].upper() if key == "origin_country" else values[key])
        listing.sku = values["sku"]
        for key, target in (("price", "price_amount"), ("weight_kg", "weight_kg"), ("length_cm", "length_cm"),
                            ("width_cm", "width_cm"), ("height_cm", "height_cm")):
            column = key
            if values.get(key, "") != "":
                number = parse_decimal(values[key], field=key, decimal_comma=True, code="invalid",
                                       message=f"“{values[key][:40]}” is not a number.")
                if number <= 0:
                    raise ApplicationError("Give a positive number.", field=key)
                setattr(listing, target, number)
            elif key in ("price", "weight_kg") and existing is None:
                raise ApplicationError("This column is required.", field=key)
        for key in ("moq", "stock"):
            column = key
            raw = values.get(key, "")
            if raw == "" and (existing is not None or key == "moq"):
                continue
            number = parse_int(raw, field=key, signed=True, message=f"“{raw[:40]}” is not a whole number.")
            if number < (1 if key == "moq" else 0):
                raise ApplicationError("Stock cannot be negative." if key == "stock" else "The minimum order is at least 1.",
                                       field=key)
            setattr(listing, key, number)
        for key in ("retail", "b2b_only"):
            column = key
            flag = _YES.get(values.get(key, "").lower(), "bad")
            if flag == "bad":
                raise ApplicationError("Write yes or no.", field=key)
            if flag is not None:
                setattr(listing, key, flag)
        column = "category"
        path = values.get("category", "")
        if path:
            if path not in categories:
                raise ApplicationError(f"There is no category {path}.", field="category")
            listing.category = categories[path]
        column = "status"
        status_value = (values.get("status") or ("draft" if existing is None else listing.status)).lower()
        if status_value not in ("draft", "published"):
            raise ApplicationError("Write draft or published.", field="status")
        if status_value == "published" and not company.is_verified:
            raise ApplicationError("Your company must be verified before it can publish; import as draft.",
                                   field="status")
        listing.status = status_value
        column = None
        check_listing(listing, constraints=False)
        if listing.status == "published":  # nowhere it ships may prohibit the goods
            column = "status"
            check_publishable(listing)
        column = "tiers"
        tiers = None
        if "tiers" in values:
            pairs = []
            for part in filter(None, (p.strip() for p in values["tiers"].replace(",", ";").split(";"))):
                quantity, sep, price = part.partition("=")
                if not sep or not is_whole_number(quantity.strip()):
                    raise ApplicationError(f"Write tiers as 50=140.00;200=130.00, not “{part}”.", field="tiers")
                pairs.append((quantity.strip(), price.strip()))
            tiers = check_tiers(listing, pairs)
        return listing, tiers, None, ""
    except ApplicationError as exc:
        where = IMPORT_FIELD_COLUMNS.get(exc.field or "", exc.field) or column
        return None, None, where, exc.message


def listing_import(*, user: User, name: str, data: bytes, dry_run: bool = True, valid_only: bool = False) -> ImportReport:
    """Import a spreadsheet of listings: every row checked and reported (created / updated by SKU / error
    with the column and reason). Nothing is written on a dry run, nor when any row is wrong unless
    `valid_only`; the write is one transaction."""
    company = seller_company(user)
    report = ImportReport(dry_run=dry_run)
    try:
        sheet = spreadsheet.read(name, data)
    except spreadsheet.SpreadsheetError as exc:
        report.error, report.error_column = exc.message, exc.column
        return report
    categories = {c.path: c for c in Category.objects.all()}
    skus = [values["sku"] for _number, values in sheet.rows if values.get("sku")]
    existing = {listing.sku: listing for listing in Listing.objects.filter(company=company, sku__in=skus)}
    seen: set[str] = set()
    good = []
    for number, values in sheet.rows:
        sku = values.get("sku", "")
        row = {"row": number, "sku": sku, "action": "error", "column": None, "message": ""}
        report.rows.append(row)
        if not sku:
            row.update(column="sku", message="Give each row a SKU (your reference).")
            continue
        if len(sku) > 64:
            row.update(column="sku", message="A SKU has at most 64 characters.")
            continue
        if sku in seen:
            row.update(column="sku", message=f"SKU {sku} appears on an earlier row.")
            continue
        seen.add(sku)
        listing, tiers, column, message = _row_listing(values, company=company, existing=existing.get(sku),
                                                       categories=categories)
        if listing is None:
            row.update(column=column, message=message)
            continue
        row.update(action="updated" if listing.pk else "created", message="")
        good.append((listing, tiers))
    if dry_run or not good or (report.errors and not valid_only):
        return report
    with transaction.atomic():
        locked = {listing.pk for listing in Listing.objects.select_for_update().filter(
            company=company, sku__in=[listing.sku for listing, _tiers in good])}
        now = timezone.now()
        new, changed = [], []
        for listing, _tiers in good:
            listing.search_zh = search.search_zh_for(listing)
            listing.updated_at = now
            (changed if listing.pk else new).append(listing)
        if any(listing.pk not in locked for listing in changed) or len(locked) > len(changed):
            raise Conflict("Listings changed while importing; run the import again.", code="import_conflict")
        Listing.objects.bulk_create(new, batch_size=500)
        Listing.objects.bulk_update(changed, [f for f in LISTING_FIELDS if f != "category"]
                                    + ["category", "sku", "status", "search_zh", "updated_at"], batch_size=500)
        if len(new) and new[0].pk is None:  # backends that do not return ids from bulk_create
            ids = dict(Listing.objects.filter(company=company, sku__in=[x.sku for x in new]).values_list("sku", "pk"))
            for listing in new:
                listing.pk = listing.id = ids[listing.sku]
        with_tiers = [(listing, tiers) for listing, tiers in good if tiers is not None]
        PriceTier.objects.filter(listing__in=[listing for listing, _ in with_tiers]).delete()
        PriceTier.objects.bulk_create([PriceTier(listing=listing, min_quantity=q, price_amount=p)
                                       for listing, tiers in with_tiers for q, p in tiers], batch_size=1000)
        search.reindex([listing.pk for listing, _ in good])
    report.written = True
    return report
