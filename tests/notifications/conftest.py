"""Notification fixtures: events made through the real services of the apps that send them."""

from __future__ import annotations

import pytest

from notifications.models import Notification


def told(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def kinds_of(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
