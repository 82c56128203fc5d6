"""localstripe, taught two things real Stripe does that it lacks: a PaymentIntent's
`transfer_group` (separate charges and transfers) and an amount updated before confirmation
(form-encoded, so it arrives as text). Run as a script by conftest.py; our code is untouched."""

from localstripe import resources, server

_init = resources.PaymentIntent.__init__
_update = resources.PaymentIntent._update


def _init_with_transfer_group(self, *args, transfer_group=None, **kwargs):
    _init(self, *args, **kwargs)
    self.transfer_group = transfer_group


def _update_amount_as_int(self, **data):
    if "amount" in data:
        data["amount"] = resources.try_convert_to_int(data["amount"])
    _update(self, **data)


resources.PaymentIntent.__init__ = _init_with_transfer_group
resources.PaymentIntent._update = _update_amount_as_int

if __name__ == "__main__":
    server.start()
