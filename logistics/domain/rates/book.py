"""The rate book: carriers.json, rate_cards.json, ehubs.json and countries.json parsed, checked and
indexed by (service, origin) once per process; read-only afterwards, safe to share."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ewtp.exceptions import ApplicationError
from ewtp.money import to_decimal
from logistics.domain.rates.cards import MODES, Band, EHub, GoodsRule, Lane, LegRate, Limits, ServiceInfo

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DATA_FILES = ("carriers", "rate_cards", "ehubs", "countries")


class RateBook:
    """The reference data parsed and indexed once; read-only afterwards, safe to share."""

    def __init__(self, *, version: str, as_of: str, services: dict[str, ServiceInfo],
                 lanes: dict[tuple[str, str], Lane], ehubs: dict[str, EHub], countries: frozenset[str],
                 sources: list[dict[str, Any]]) -> None:
        self.version = version
        self.as_of = as_of
        self._services = services
        self._lanes = lanes
        self._ehubs = ehubs
        self.countries = countries
        self.sources = sources
        self._plans: dict[str, tuple[tuple[ServiceInfo, Lane | None], ...]] = {}

    @property
    def services(self) -> list[ServiceInfo]:
        return list(self._services.values())

    def service(self, code: str) -> ServiceInfo:
        try:
            return self._services[code]
        except KeyError:
            raise ApplicationError(f"No shipping service is called {code!r}.", code="unknown_service",
                                   field="service_code") from None

    def has_service(self, code: str) -> bool:
        return code in self._services

    @property
    def ehubs(self) -> list[EHub]:
        return list(self._ehubs.values())

    def ehub(self, code: str) -> EHub:
        return self._ehubs[code]

    def lane(self, service_code: str, origin: str) -> Lane | None:
        return self._lanes.get((service_code, origin))

    def plan(self, origin: str) -> tuple[tuple[ServiceInfo, Lane | None], ...]:
        """Every service in book order with its lane from `origin` (None where it does not
        collect there): what `shop()` walks, worked out once per origin and kept."""
        if origin not in self._plans:
            self._plans[origin] = tuple((service, self._lanes.get((service.code, origin)))
                                        for service in self._services.values())
        return self._plans[origin]

    @classmethod
    def from_files(cls, data_dir: Path | str = DEFAULT_DATA_DIR) -> RateBook:
        """Read carriers.json, rate_cards.json, ehubs.json and countries.json from `data_dir`."""
        data_dir = Path(data_dir)
        return cls.from_dict({name: json.loads((data_dir / f"{name}.json").read_text(encoding="utf-8"))
                              for name in DATA_FILES})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateBook:
        """`data` maps each file name without .json (see DATA_FILES) to its parsed content."""
        return _build_book(data)


# --- parsing -------------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    return to_decimal(value)


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _days(pair: Sequence[int]) -> tuple[int, int]:
    low, high = int(pair[0]), int(pair[1])
    if not 0 <= low <= high:
        raise ValueError(f"transit days must be 0 <= min <= max, not {pair!r}")
    return low, high


def _limits(raw: Mapping[str, Any]) -> Limits:
    return Limits(max_weight_kg=_dec(raw["max_weight_kg"]),
                  max_longest_side_cm=_opt_dec(raw.get("max_longest_side_cm")),
                  max_length_plus_girth_cm=_opt_dec(raw.get("max_length_plus_girth_cm")),
                  max_sum_of_sides_cm=_opt_dec(raw.get("max_sum_of_sides_cm")))


def _rules(raw_rules: Sequence[Mapping[str, Any]]) -> tuple[GoodsRule, ...]:
    rules = []
    for raw in raw_rules:
        if raw["action"] not in ("refuse", "special_service"):
            raise ValueError(f"unknown goods rule action {raw['action']!r}")
        surcharge = raw.get("surcharge") or {}
        rules.append(GoodsRule(
            hs_prefixes=tuple(raw["hs_prefixes"]), action=raw["action"], reason=raw["reason"],
            service=raw.get("service"),
            per_shipment={cur: _dec(v) for cur, v in (surcharge.get("per_shipment") or {}).items()},
            per_parcel={cur: _dec(v) for cur, v in (surcharge.get("per_parcel") or {}).items()}))
    return tuple(rules)


def _band(raw: Mapping[str, Any]) -> Band:
    pairs = [(_dec(weight), _dec(price)) for weight, price in raw["breaks"]]
    if not pairs or any(b[0] <= a[0] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValueError("weight breaks must be a non-empty list ascending by weight")
    if any(b[1] < a[1] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValueError("a heavier weight break cannot cost less")
    return Band(weights=tuple(w for w, _ in pairs), prices=tuple(p for _, p in pairs),
                 per_additional_half_kg=_dec(raw["per_additional_half_kg"]), days=_days(raw["transit_days"]))


def _rate(raw: Mapping[str, Any]) -> LegRate:
    return LegRate(per_parcel=_dec(raw["per_parcel"]), per_kg=_dec(raw["per_kg"]),
                 days=_days(raw["transit_days"]), provider=raw.get("carrier", ""))


def _build_book(data: Mapping[str, Any]) -> RateBook:
    carriers_file, cards_file, ehubs_file = data["carriers"], data["rate_cards"], data["ehubs"]
    carriers = {c["code"]: c for c in carriers_file["carriers"]}
    rule_sets = {name: _rules(rules) for name, rules in carriers_file["goods_rules"].items()}
    countries = frozenset(data["countries"]["countries"])
    ehubs = {h["code"]: EHub(h["code"], h["name"], h["city"], h["country"], h.get("zone", ""))
             for h in ehubs_file["ehubs"]}

    def check_countries(codes: Any, where: str) -> None:
        unknown = set(codes) - countries
        if unknown:
            raise ValueError(f"{where}: unknown country codes {sorted(unknown)}")

    services: dict[str, ServiceInfo] = {}
    lanes: dict[tuple[str, str], Lane] = {}
    sources: list[dict[str, Any]] = []

    def service_info(raw: Mapping[str, Any], origins: frozenset[str], destinations: frozenset[str],
                     days: tuple[int, int], illustrative: bool) -> ServiceInfo:
        carrier = carriers[raw["carrier"]]
        if raw["mode"] not in MODES:
            raise ValueError(f"{raw['code']}: unknown mode {raw['mode']!r}")
        tracking = raw.get("tracking") or {}
        return ServiceInfo(
            code=raw["code"], carrier=carrier["code"], carrier_name=carrier["name"], name=raw["name"],
            mode=raw["mode"], ehub=raw.get("hub"), via=tuple(raw.get("via") or ()), origins=origins,
            destinations=destinations, transit_days=days, limits=_limits(raw["limits"]),
            volumetric_divisor=_dec(raw["volumetric_divisor_cm3_per_kg"]),
            weight_step_kg=_dec(raw["weight_step_kg"]), tracking_format=carrier["tracking_format"],
            tracking_service_indicator=tracking.get("service_indicator"),
            tracking_country=carrier.get("country"), illustrative=illustrative)

    # Direct services: one lane per (service, origin) from the cards.
    cards_by_service: dict[str, list[Mapping[str, Any]]] = {}
    for card in cards_file["cards"]:
        cards_by_service.setdefault(card["service"], []).append(card)
    for raw in carriers_file["services"]:
        cards = cards_by_service.pop(raw["code"], [])
        if not cards:
            raise ValueError(f"service {raw['code']} has no rate card")
        origins = frozenset(o for card in cards for o in card["origins"])
        destinations = frozenset(c for card in cards for c in card["zones"])
        check_countries(origins | destinations, raw["code"])
        info = service_info(raw, origins, destinations, _days(raw["transit_days"]),
                            any(card.get("illustrative", True) for card in cards))
        services[info.code] = info
        rules = rule_sets[raw["goods_rules"]]
        for card in cards:
            missing = set(card["zones"].values()) - set(card["rates"])
            if missing:
                raise ValueError(f"{raw['code']}: zones without rates {sorted(missing)}")
            bands = {zone: _band(rate) for zone, rate in card["rates"].items()}
            lane = Lane(service=info, rules=rules, currency=card["currency"],
                         max_declared_value=_opt_dec(card.get("max_declared_value")),
                         fuel_percent=_dec(card["fuel_surcharge"]["percent"]),
                         fuel_as_of=card["fuel_surcharge"]["as_of"],
                         destinations=frozenset(card["zones"]), zones=dict(card["zones"]), bands=bands)
            for origin in card["origins"]:
                if (info.code, origin) in lanes:
                    raise ValueError(f"{info.code}: two cards for origin {origin}")
                lanes[(info.code, origin)] = lane
            sources.append({"service": info.code, "origins": card["origins"], "source": card.get("source"),
                            "illustrative": card.get("illustrative", True)})
    if cards_by_service:
        raise ValueError(f"rate cards for unknown services {sorted(cards_by_service)}")

    # eHub routes: one lane per (route, origin); the destinations are where linehaul and last mile meet.
    for raw in ehubs_file["routes"]:
        if raw["hub"] not in ehubs:
            raise ValueError(f"{raw['code']}: unknown hub {raw['hub']}")
        linehaul_zones = dict(raw["linehaul"]["zones"])
        linehaul = {zone: _rate(rate) for zone, rate in raw["linehaul"]["rates"].items()}
        last_mile = {country: _rate(rate) for country, rate in raw["last_mile"].items()}
        destinations = frozenset(linehaul_zones) & frozenset(last_mile)
        first_miles = {origin: _rate(rate) for origin, rate in raw["first_mile"].items()}
        origins = frozenset(first_miles)
        check_countries(origins | destinations, raw["code"])
        days_low = (min(r.days[0] for r in first_miles.values()) + min(r.days[0] for r in linehaul.values())
                    + min(last_mile[c].days[0] for c in destinations))
        days_high = (max(r.days[1] for r in first_miles.values()) + max(r.days[1] for r in linehaul.values())
                     + max(last_mile[c].days[1] for c in destinations))
        info = service_info(raw, origins, destinations, (days_low, days_high), raw.get("illustrative", True))
        if info.code in services:
            raise ValueError(f"route {info.code} repeats a service code")
        services[info.code] = info
        for origin, first_mile in first_miles.items():
            lanes[(info.code, origin)] = Lane(
                service=info, rules=rule_sets[raw["goods_rules"]], currency=raw["currency"],
                max_declared_value=_opt_dec(raw.get("max_declared_value")),
                fuel_percent=_dec(raw["fuel_surcharge"]["percent"]), fuel_as_of=raw["fuel_surcharge"]["as_of"],
                destinations=destinations, first_mile=first_mile, linehaul_zones=linehaul_zones,
                linehaul=linehaul, last_mile=last_mile)
        sources.append({"service": info.code, "origins": sorted(origins), "source": raw.get("source"),
                        "illustrative": raw.get("illustrative", True)})

    return RateBook(version=str(carriers_file.get("version", "")), as_of=str(carriers_file.get("as_of", "")),
                    services=services, lanes=lanes, ehubs=ehubs, countries=countries, sources=sources)
