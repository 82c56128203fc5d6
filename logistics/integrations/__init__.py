"""Adapters to outside systems (carriers): the interface in base.py, the offline default in simulated.py."""

from logistics.integrations.base import (
    BookingRequest,
    BookingResult,
    CarrierAdapter,
    CarrierError,
    TransientCarrierError,
)

__all__ = ["BookingRequest", "BookingResult", "CarrierAdapter", "CarrierError", "TransientCarrierError"]
