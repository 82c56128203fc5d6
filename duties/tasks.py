"""Duty settlement tasks: ids in, one service each, safe to run twice (the services find what is done)."""

from ewtp.tasks import service_task


@service_task()
def duty_reconcile(reference: str) -> str:
    """The authority released the shipment: settle its assessment with the buyer (or the seller)."""
    from duties.services import duty_assessment_record

    assessment = duty_assessment_record(reference=reference)
    return assessment.resolution if assessment else "nothing to settle"


@service_task()
def duties_collected_at_door(reference: str, amount: str, currency: str, carrier: str) -> str:
    """A carrier collected a DAP shipment's duties at the door: book them and settle the difference."""
    from decimal import Decimal

    from duties.services import duties_collected_on_delivery
    from ewtp.money import Money

    assessment = duties_collected_on_delivery(reference=reference, amount=Money(Decimal(amount), currency),
                                              carrier=carrier)
    return assessment.resolution if assessment else "nothing to settle"


@service_task()
def tax_invoices_issue(payment_id: int) -> list[str]:
    """A payment succeeded: the tax invoice of each of its orders that charged VAT at the sale."""
    from duties.services import tax_invoices_for_payment

    return tax_invoices_for_payment(payment_id=payment_id)


@service_task(max_retries=0, soft_time_limit=120, time_limit=150)  # beat runs it again soon
def duties_settle() -> list[str]:
    """Beat: pay each customs authority, per currency, the duties and taxes owed."""
    from duties.services import settlement_run

    return settlement_run()
