"""Pure risk rules of clearance screening (no ORM, no I/O): HS code vs description, price
comparisons. customs/screening.py feeds them the declaration and the seller's history."""

from __future__ import annotations

import re
import statistics
from decimal import Decimal

# Words that name goods unmistakably, and the HS chapters such goods belong to. A description
# with one of these words under a chapter not listed is inconsistent ("phone" under 0902 tea).
# Small on purpose: a word that could honestly sit in many chapters is not here.
GOODS_WORDS: dict[str, tuple[str, ...]] = {
    "tea": ("09", "21", "69", "73", "82", "85", "63", "44", "46", "39", "70", "71", "48"),
    "coffee": ("09", "21", "69", "73", "84", "85"),
    "phone": ("85", "39", "42", "90"), "smartphone": ("85",), "iphone": ("85",),
    "laptop": ("84", "42", "85"), "computer": ("84", "85", "94"), "tablet": ("84", "85", "30", "42"),
    "headphones": ("85",), "camera": ("85", "90"), "battery": ("85",), "charger": ("85",),
    "shirt": ("61", "62"), "t-shirt": ("61",), "dress": ("61", "62"), "jacket": ("61", "62", "42", "43"),
    "trousers": ("61", "62"), "sweater": ("61",), "socks": ("61",),
    "shoes": ("64",), "sneakers": ("64",), "boots": ("64",),
    "handbag": ("42",), "wallet": ("42",),
    "watch": ("91",), "wristwatch": ("91",),
    "toy": ("95",), "doll": ("95",), "puzzle": ("95", "49"),
    "perfume": ("33",), "shampoo": ("33",), "lipstick": ("33",), "cosmetic": ("33",),
    "wine": ("22",), "whisky": ("22",), "beer": ("22",), "vodka": ("22",),
    "cigarettes": ("24",), "cigar": ("24",), "tobacco": ("24",),
    "rifle": ("93",), "pistol": ("93",), "ammunition": ("93",),
    "batik": ("52", "54", "55", "58", "59", "60", "61", "62", "63", "50", "94"),
    "silk": ("50", "54", "61", "62", "63", "58", "60", "94", "42", "65", "96", "97"),
    "rice": ("10", "11", "19", "21"), "chocolate": ("18", "17", "19"), "honey": ("04", "21", "33"),
    "furniture": ("94",), "chair": ("94",), "sofa": ("94",),
    "gold": ("71",), "diamond": ("71",), "jewellery": ("71",), "jewelry": ("71",),
}

_WORD = re.compile(r"[a-z][a-z\-]+")


def hs_description_conflict(description: str, hs_code: str) -> tuple[str, tuple[str, ...]] | None:
    """(word, chapters it belongs to) when the description names goods of another chapter.

    A description is consistent when any goods word in it fits the declared chapter, so
    "tea cup, porcelain" under 69 passes ("tea" lists 69)."""
    chapter = (hs_code or "")[:2]
    words = [w for w in _WORD.findall((description or "").lower()) if w in GOODS_WORDS]
    if not words or not chapter.isdigit():
        return None
    if any(chapter in GOODS_WORDS[word] for word in words):
        return None
    return words[0], GOODS_WORDS[words[0]]


def usual_price(history: list[Decimal], *, minimum: int) -> Decimal | None:
    """The seller's usual unit price (the median of earlier declarations), once there are enough."""
    if len(history) < minimum:
        return None
    return Decimal(statistics.median(history))


def undervalued(declared: Decimal, reference: Decimal | None, *, ratio: Decimal) -> bool:
    """Declared far below the reference: below `ratio` × reference."""
    return reference is not None and reference > 0 and declared < reference * ratio
