from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ewtp.tasks import service_task


@service_task()
def order_release_escrow(order_id: int) -> None:
    from marketplace.services.orders import order_release_escrow as release

    release(order_id=order_id)


@service_task()
def order_cancel_unpaid(order_id: int) -> None:
    from marketplace.services.orders import order_cancel_unpaid as cancel

    cancel(order_id=order_id)


@service_task(max_retries=0)  # beat runs it again soon
def escrow_release_due() -> None:
    """Beat: pay sellers for orders delivered longer than the dispute window ago, and give back
    the stock of orders left unpaid a quote period after their quote expired (until then paying
    re-quotes them). One task per order: one bad order cannot hold up the others."""
    from marketplace.models import Order

    window = timezone.now() - timedelta(seconds=settings.ESCROW_DISPUTE_WINDOW_SECONDS)
    for order_id in Order.objects.filter(status=Order.Status.DELIVERED, delivered_at__lte=window).values_list(
            "pk", flat=True)[:500]:
        order_release_escrow.delay(order_id)
    reserved_until = timezone.now() - timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES)
    for order_id in Order.objects.filter(status=Order.Status.PENDING_PAYMENT,
                                         quote_expires_at__lt=reserved_until).values_list("pk", flat=True)[:500]:
        order_cancel_unpaid.delay(order_id)
