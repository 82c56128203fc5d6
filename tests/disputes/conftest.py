"""Dispute fixtures: orders placed, paid, shipped and delivered through the real services."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Order
from tests import factories
from tests.finance.conftest import deliver, paid_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo(name: str = "broken-tin.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def pdf(name: str = "proof-of-dispatch.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class Trade:
    """A tea seller in Hangzhou, a buyer in Germany, and dispute staff."""

    def __init__(self):
        self.seller, self.buyer, self.staff = factories.seller(), factories.buyer(country="DE"), factories.dispute_staff()

    def paid(self, quantity: int = 6) -> Order:
        return paid_order(self.seller, self.buyer, quantity)

    def delivered(self, quantity: int = 6) -> Order:
        return deliver(self.seller, self.paid(quantity))


@pytest.fixture
def trade(db) -> Trade:
    return Trade()
