"""Which implementation of an outside system the project talks to, chosen by one setting each.

The carrier (`CARRIER_ADAPTER`), the customs authority (`CUSTOMS_AUTHORITY`) and the payment
provider (`PAYMENT_PROVIDER`) are each named in ewtp/settings by a short name of a built-in
implementation ("simulated", "sandbox", "stripe") or by the dotted path of a class (or any
callable) that builds one with no arguments, reading its own settings. `provider()` resolves
the name the same way for all of them and fails with ImproperlyConfigured naming the setting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def provider(setting: str, *, default: str, builtin: Mapping[str, Callable[[], Any]], interface: type,
             name: str | None = None) -> Any:
    """Build the implementation `settings.<setting>` names (`default` when it is unset, `name`
    when given, e.g. the provider a stored payment was made with): a key of `builtin`, whose
    value builds it, or a dotted path. It must satisfy `interface`, a runtime-checkable Protocol."""
    chosen = name if name is not None else getattr(settings, setting, default)
    if chosen in builtin:
        return builtin[chosen]()
    module, _, attribute = chosen.rpartition(".")
    choices = ", ".join(repr(key) for key in builtin)
    try:
        build = getattr(import_module(module), attribute, None) if module else None
    except ImportError as error:
        raise ImproperlyConfigured(f"{setting}={chosen!r}: no module {module!r} ({error}); "
                                   f"use {choices} or the dotted path of a class") from error
    if not callable(build):
        raise ImproperlyConfigured(f"{setting}={chosen!r} names no class; use {choices} or the dotted path of a class")
    built = build()
    if not isinstance(built, interface):
        raise ImproperlyConfigured(f"{setting}={chosen!r} is not a {interface.__name__}: it lacks "
                                   + ", ".join(_missing(built, interface)))
    return built


def _missing(built: object, interface: type) -> list[str]:
    members = {*vars(interface), *getattr(interface, "__annotations__", {})}
    return sorted(member for member in members if not member.startswith("_") and not hasattr(built, member))
