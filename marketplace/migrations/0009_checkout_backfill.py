from django.db import migrations


def _order_id(reference: str) -> int | None:
    """ORD-000123 -> 123 (frozen here: a migration does not import code that may change after it)."""
    digits = reference.removeprefix("ORD-")
    return int(digits) if digits != reference and digits.isascii() and digits.isdigit() else None


def link_checkouts(apps, schema_editor):
    """A checkout was a payment whose allocations name its orders (PaymentAllocation.reference is the
    order's reference): each such payment becomes a Checkout, its orders point to it. A CHK- payment
    keeps its reference; a payment from before checkouts (ORD-, one order) is named as a checkout of
    that order is, CHK- and the first order's number (the payment and its ledger keep theirs)."""
    Payment = apps.get_model("payments", "Payment")
    Checkout = apps.get_model("marketplace", "Checkout")
    Order = apps.get_model("marketplace", "Order")
    for payment in Payment.objects.filter(allocations__isnull=False).distinct().order_by("pk").prefetch_related(
            "allocations"):
        order_ids = sorted(filter(None, (_order_id(a.reference) for a in payment.allocations.all())))
        order_ids = list(Order.objects.filter(pk__in=order_ids, checkout__isnull=True).order_by("pk")
                         .values_list("pk", flat=True))
        if not order_ids:
            continue
        reference = payment.reference if payment.reference.startswith("CHK-") else f"CHK-{order_ids[0]:06d}"
        checkout = Checkout.objects.create(reference=reference, buyer_id=payment.buyer_id, payment=payment)
        Checkout.objects.filter(pk=checkout.pk).update(created_at=payment.created_at)  # not the migration's time
        Order.objects.filter(pk__in=order_ids).update(checkout=checkout)


def unlink_checkouts(apps, schema_editor):
    apps.get_model("marketplace", "Order").objects.update(checkout=None)
    apps.get_model("marketplace", "Checkout").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0008_checkout"),
        ("payments", "0007_refund_payment_permission"),
    ]

    operations = [
        migrations.RunPython(link_checkouts, unlink_checkouts, elidable=True),
    ]
