"""Adapters to systems outside the platform: FX rate sources, payment providers."""
