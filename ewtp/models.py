from django.db import models


class FxRateSet(models.Model):
    """A day's reference rates (units per EUR) from a source such as the ECB. Shared: customs
    values consignments with them and payments converts payouts with them."""

    as_of = models.DateField(unique=True)
    source = models.CharField(max_length=200)
    rates = models.JSONField()  # {"USD": "1.0812", ...} as strings: no floats
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of"]


class DataLoad(models.Model):
    """What load_reference_data last loaded for a dataset, so an unchanged file is not reloaded."""

    dataset = models.CharField(max_length=60, unique=True)
    checksum = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now=True)
