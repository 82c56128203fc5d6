from django.dispatch import receiver

from customs.signals import clearance_decided


@receiver(clearance_decided)
def _follow_customs(sender, case, released, reason="", **kwargs):
    from logistics.services import shipment_customs_decided

    shipment_customs_decided(reference=case.shipment_reference, released=released, reason=reason)
