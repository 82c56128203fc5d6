"""Cutting figures down as a destination's law says (`tariff_book.Rounding`: Japan), where it does not round
each figure half-up to the minor unit."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal


def cut_down(amount: Decimal, unit: Decimal) -> Decimal:
    """`amount` cut to the multiple of `unit` below it (0 when it is under one unit)."""
    return (amount / unit).to_integral_value(ROUND_FLOOR) * unit


def take_off(amounts: list[Decimal], excess: Decimal) -> list[Decimal]:
    """`amounts` less `excess` in all, taken from the largest first and never below zero: the lines of a
    total that was cut down still add up to it."""
    left = list(amounts)
    for index in sorted(range(len(left)), key=lambda i: left[i], reverse=True):
        if excess <= 0:
            break
        taken = min(left[index], excess)
        left[index] -= taken
        excess -= taken
    return left
