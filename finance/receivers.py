"""Trade finance follows what payments reports (payments never imports this app)."""

from django.dispatch import receiver

from payments.signals import escrow_releasing, ledger_checking, payment_refunded


@receiver(escrow_releasing)
def _repay_advance_first(sender, reference, company_id, payout, **kwargs):
    from finance.services import advance_repay_from_release

    return advance_repay_from_release(reference=reference, company_id=company_id, payout=payout)


@receiver(payment_refunded)
def _refund_reduces_repayment_source(sender, reference, amount, reason, **kwargs):
    from finance.services import advance_source_reduced

    advance_source_reduced(reference=reference, amount=amount, reason=reason)


@receiver(ledger_checking)
def _advances_receivable_match(sender, **kwargs):
    from finance.selectors import advances_ledger_problems

    return advances_ledger_problems()
