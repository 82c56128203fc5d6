"""What the marketplace asks the apps above it (which it never imports)."""

from django.dispatch import Signal

# Asked by the order page for the boxes the apps above add to it (a dispute). kwargs: order, user, is_buyer,
# is_seller. Receivers return None or a dict: {"title": str, "text": str, "status": str (optional),
# "status_label": str (optional), "links": [(label, url, testid), ...]}.
order_page_panels = Signal()
