"""A notification in words: its subject and text from the kind's templates, in a given language (the
recipient's for an email, the reader's in the inbox), and the simple HTML email around the text."""

from __future__ import annotations

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from notifications.kinds import KINDS
from notifications.models import Notification


def _localised(context: dict, language: str) -> dict:
    """A {"en": ..., "zh-hans": ...} value is read in `language` (else in English)."""
    return {key: (value.get(language) or value.get("en", "")) if isinstance(value, dict) and "en" in value
            else value for key, value in context.items()}


def _plain(template_name: str, context: dict) -> str:
    """A text template rendered without HTML escaping (a company called "Tea & Co" stays so)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_text(notification: Notification, language: str | None = None) -> tuple[str, str]:
    """(subject, text) in `language` (default: the active one)."""
    entry = KINDS.get(notification.kind)
    if entry is None:  # a kind no longer registered: its record still reads
        return notification.kind.replace("_", " ").capitalize(), ""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context = _localised(notification.context, translation.get_language())
        subject = " ".join(_plain(entry.subject_template, context).split())
        text = _plain(entry.body_template, context).strip()
    return subject, text


def render_email(notification: Notification) -> tuple[str, str, str]:
    """(subject, text, HTML) in the recipient's language, with the link and the preferences page."""
    from django.urls import reverse

    language = notification.recipient.language or settings.LANGUAGE_CODE
    subject, text = render_text(notification, language)
    site = settings.SITE_URL.rstrip("/")
    context = {"subject": subject, "text": text, "link": f"{site}{notification.url}" if notification.url else "",
               "preferences": f"{site}{reverse('notifications:preferences')}",
               "name": notification.recipient.display_name, "LANGUAGE_CODE": language}
    with translation.override(language):
        body = _plain("notifications/email/layout.txt", context)
        html = render_to_string("notifications/email/layout.html", context)
    return subject, body, html
