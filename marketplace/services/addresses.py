"""Buyers' shipping addresses: add one, choose the default (copied onto the profile), remove one."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from customs.selectors import destination_currency
from ewtp.exceptions import Conflict, NotFound
from ewtp.validators import validate_model
from marketplace.models import ShippingAddress


def address_add(*, user: User, name: str, line: str, city: str, country: str, postcode: str = "", label: str = "",
                make_default: bool = False) -> ShippingAddress:
    address = ShippingAddress(user=user, name=name.strip(), line=line.strip(), city=city.strip(),
                              postcode=postcode.strip(), country=country.strip().upper(), label=label.strip())
    validate_model(address, exclude=["user"])
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        make_default = make_default or not user.addresses.exists()
        address.save()
        if make_default:
            address_make_default(user=user, address_id=address.pk)
    return address


def address_make_default(*, user: User, address_id: int) -> ShippingAddress:
    """The chosen address becomes the one checkout ships to (copied onto the profile)."""
    with transaction.atomic():
        address = ShippingAddress.objects.select_for_update().filter(pk=address_id, user=user).first()
        if address is None:
            raise NotFound("No such address.", field="address")
        ShippingAddress.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default"])
        country_changed = user.country != address.country
        user.address_line, user.city, user.postcode, user.country = (address.line, address.city, address.postcode,
                                                                     address.country)
        if country_changed or not user.preferred_currency:
            user.preferred_currency = destination_currency(address.country)
        user.full_name = user.full_name or address.name
        user.save(update_fields=["address_line", "city", "postcode", "country", "preferred_currency", "full_name"])
    return address


def address_delete(*, user: User, address_id: int) -> None:
    with transaction.atomic():
        deleted, _ = ShippingAddress.objects.filter(pk=address_id, user=user, is_default=False).delete()
        if not deleted:
            raise Conflict("Choose another default address before removing this one.", code="default_address",
                           field="address")
