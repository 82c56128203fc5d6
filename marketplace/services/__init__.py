"""Marketplace writes, one transaction each, by sub-domain. Callers import the module they need
(`from marketplace.services.checkout import checkout_pay`); this package re-exports nothing.

- addresses: buyers' shipping addresses (accounts/services.py holds sign-up, profile, companies)
- listings: categories, listings and price tiers, publishing, photos; what may be ordered of a listing
- listing_import: the spreadsheet import of listings
- cart: cart lines and merging an anonymous cart at log-in
- checkout: placing orders (a cart or "buy now") with one payment, re-quoting and paying
- orders: order state moves after checkout (paid, shipped, delivered, completed, cancelled, refunded),
  booking the shipment, seller cancellation, escrow release
- rfq: requests for quotation and the seller's quotations
- compliance: staff decisions on checkouts held for compliance (denied-party matches) before payment
"""
