"""Can this service carry this shipment? The first reason it cannot, as an `Exclusion`, or None.

Checked in the order a seller would want to hear it: the lane (collects from the origin,
delivers to the destination, cross-border only), the goods rules (refused HS codes), the
declared value, then each parcel against the service's weight and size limits.
"""

from __future__ import annotations

from decimal import Decimal

from ewtp.money import Money
from logistics.domain.rates.cards import Lane, ServiceInfo
from logistics.domain.rates.request import PreparedRequest
from logistics.domain.rates.result import (
    DESTINATION_NOT_SERVED,
    GOODS_NOT_ACCEPTED,
    ORIGIN_NOT_SERVED,
    TOO_HEAVY,
    TOO_LARGE,
    VALUE_TOO_HIGH,
    Exclusion,
)


def kg_text(value: Decimal) -> str:
    """A weight or length as a seller reads it: "1.5", not "1.500" or "1.5E+0"."""
    return f"{value.normalize():f}"


def exclusion(request: PreparedRequest, service: ServiceInfo, lane: Lane | None) -> Exclusion | None:
    def out(reason_code: str, reason: str) -> Exclusion:
        return Exclusion(service.code, service.name, reason_code, reason)

    origin, destination = request.origin, request.destination
    if lane is None:
        return out(ORIGIN_NOT_SERVED, f"{service.name} does not collect from {origin}; it collects from "
                                      f"{', '.join(sorted(service.origins))}.")
    if destination == origin:
        return out(DESTINATION_NOT_SERVED, f"{service.name} is cross-border only; "
                                           f"{origin} to {destination} is a domestic shipment.")
    if destination not in lane.destinations:
        return out(DESTINATION_NOT_SERVED, f"{service.name} does not deliver to {destination} from {origin}.")
    for index, hs in enumerate(request.hs_codes):
        for rule in lane.rules:
            if rule.action == "refuse" and rule.matches(hs):
                return out(GOODS_NOT_ACCEPTED, f"{request.descriptions[index] or 'Goods'} (HS {hs}): {rule.reason}")
    if lane.max_declared_value is not None and request.values:
        value = request.goods_value(lane.currency)
        if value > lane.max_declared_value:
            limit = Money(lane.max_declared_value, lane.currency)
            return out(VALUE_TOO_HIGH, f"The goods are declared at {Money(value, lane.currency)}; "
                                       f"{service.name} carries at most {limit} a shipment.")
    limits = service.limits
    for number, parcel in enumerate(request.parcels, start=1):
        if parcel.weight_kg > limits.max_weight_kg:
            return out(TOO_HEAVY, f"Parcel {number} weighs {kg_text(parcel.weight_kg)} kg; {service.name} takes "
                                  f"at most {kg_text(limits.max_weight_kg)} kg a parcel.")
        if limits.max_longest_side_cm is not None and parcel.longest_cm > limits.max_longest_side_cm:
            return out(TOO_LARGE, f"Parcel {number} is {kg_text(parcel.longest_cm)} cm long; {service.name} takes "
                                  f"at most {kg_text(limits.max_longest_side_cm)} cm on the longest side.")
        if (limits.max_length_plus_girth_cm is not None
                and parcel.length_plus_girth_cm > limits.max_length_plus_girth_cm):
            return out(TOO_LARGE, f"Parcel {number} measures {kg_text(parcel.length_plus_girth_cm)} cm in length "
                                  f"plus girth; {service.name} takes at most "
                                  f"{kg_text(limits.max_length_plus_girth_cm)} cm.")
        if limits.max_sum_of_sides_cm is not None and parcel.sum_of_sides_cm > limits.max_sum_of_sides_cm:
            return out(TOO_LARGE, f"Parcel {number}'s sides add up to {kg_text(parcel.sum_of_sides_cm)} cm; "
                                  f"{service.name} takes at most {kg_text(limits.max_sum_of_sides_cm)} cm.")
    return None
