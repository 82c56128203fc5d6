"""`{% tax_invoice_link order %}`: the order page's link to its tax invoice (VAT charged at the sale), for
its buyer and seller; nothing when the order has none. One query."""

from django import template

from duties.models import TaxInvoice

register = template.Library()


@register.inclusion_tag("duties/_tax_invoice_link.html")
def tax_invoice_link(order):
    return {"invoice": TaxInvoice.objects.filter(reference=order.reference).only("pk", "number", "scheme").first()}
