"""notify and the email task: one record and one email per event and recipient whatever is retried, in the
recipient's language, and none by email when the recipient turned that kind off (the record stays)."""

from __future__ import annotations

import pytest
from django.core import mail

from ewtp.exceptions import ApplicationError
from notifications.kinds import KINDS, Event, Kind, tell
from notifications.models import Notification
from notifications.services import email_preferences_set, notification_email_send, notify
from notifications.tasks import notification_email
from tests import factories

pytestmark = pytest.mark.django_db

CONTEXT = {"reference": "ORD-000042", "total": "12.50 EUR", "seller": "Hangzhou Tea & Co", "buyer": "Ann"}


def test_an_event_told_twice_is_recorded_once_and_emailed_once(django_capture_on_commit_callbacks):
    # given a buyer told that their order is paid
    buyer = factories.buyer()
    with django_capture_on_commit_callbacks() as enqueued:
        first = notify(kind="order_paid", event_key="order_paid:ORD-000042", recipients={buyer.pk: "/orders/42/"},
                       context=CONTEXT)
    # when the same event is told again (a retried signal) and the email task runs twice (a redelivery)
    with django_capture_on_commit_callbacks() as again:
        second = notify(kind="order_paid", event_key="order_paid:ORD-000042", recipients=[buyer.pk], context=CONTEXT)
    notification_email.apply(args=[first[0].pk])
    notification_email.apply(args=[first[0].pk])
    # then there is one record, one email enqueued and one sent
    assert len(first) == 1 and second == [] and len(enqueued) == 1 and again == []
    assert Notification.objects.filter(recipient=buyer).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [buyer.email] and message.subject == "Order ORD-000042 paid"
    assert "Hangzhou Tea & Co" in message.body and "http://localhost:8000/orders/42/" in message.body
    assert "Hangzhou Tea &amp; Co" in message.alternatives[0][0]  # the HTML part escapes, the text does not
    assert Notification.objects.get().email_status == "sent"


def test_a_retry_after_the_send_sends_nothing():
    buyer = factories.buyer()
    (notification,) = notify(kind="order_paid", event_key="order_paid:ORD-1", recipients=[buyer.pk], context=CONTEXT)
    assert notification_email_send(notification_id=notification.pk) == "sent"
    assert notification_email_send(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == 1
    assert notification_email_send(notification_id=987654321) == "missing"


def test_a_chinese_user_gets_the_email_in_chinese_and_an_english_one_in_english():
    # given two buyers, one who reads Chinese
    chinese, english = factories.buyer(), factories.buyer()
    chinese.language = "zh-hans"
    chinese.save()
    # when both are told of the same paid order
    made = notify(kind="order_paid", event_key="order_paid:ORD-7", recipients=[chinese.pk, english.pk],
                  context=CONTEXT)
    for notification in made:
        notification_email_send(notification_id=notification.pk)
    # then each email is written in its recipient's language
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient[chinese.email].subject == "订单 ORD-000042 已付款"
    assert "您好" in by_recipient[chinese.email].body
    assert by_recipient[english.email].subject == "Order ORD-000042 paid"


def test_email_off_sends_no_email_but_keeps_the_inbox_record():
    # given a seller who wants no email about paid orders, but still about payouts
    seller = factories.seller()
    email_preferences_set(user=seller, email_kinds=[key for key in KINDS if key != "order_paid"])
    # when both events are told
    (paid,) = notify(kind="order_paid", event_key="order_paid:ORD-9", recipients=[seller.pk], context=CONTEXT)
    (payout,) = notify(kind="payout_made", event_key="payout_made:1", recipients=[seller.pk],
                       context={"reference": "ORD-9", "amount": "80.00 CNY"})
    # then only the payout is emailed, and both are in the inbox
    assert notification_email_send(notification_id=paid.pk) == "skipped"
    assert notification_email_send(notification_id=payout.pk) == "sent"
    assert [message.subject for message in mail.outbox] == ["Payout for ORD-9: 80.00 CNY"]
    assert set(Notification.objects.filter(recipient=seller).values_list("kind", flat=True)) == {"order_paid",
                                                                                                  "payout_made"}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "no_such_kind"}, "kind"), ({"event_key": ""}, "event_key"), ({"event_key": "x" * 201}, "event_key"),
    ({"context": {"when": object()}}, "context"),
])
def test_bad_input_is_refused_at_its_field_and_records_nothing(kwargs, field):
    buyer = factories.buyer()
    with pytest.raises(ApplicationError) as error:
        notify(**{"kind": "order_paid", "event_key": "order_paid:ORD-3", "recipients": [buyer.pk],
                  "context": CONTEXT, **kwargs})
    assert error.value.field == field
    assert not Notification.objects.exists()
    with pytest.raises(ApplicationError) as error:
        email_preferences_set(user=buyer, email_kinds=["order_paid", "nonsense"])
    assert error.value.field == "email"


def test_a_recipient_that_does_not_exist_is_left_out():
    buyer = factories.buyer()
    made = notify(kind="order_paid", event_key="order_paid:ORD-4", recipients=[buyer.pk, 99_999_999],
                  context=CONTEXT)
    assert [n.recipient_id for n in made] == [buyer.pk]


def test_a_failing_kind_never_undoes_the_event_it_tells_of(caplog):
    # given a kind whose events cannot be built (a bug in it)
    def broken(**kwargs):
        raise KeyError("reference")
        yield  # a generator, as the kinds are

    entry = Kind(key="order_paid", label="Order paid", signal=KINDS["order_paid"].signal, events=broken)
    # when it is told inside a business transaction, then the transaction goes on and the failure is logged
    assert tell(entry, {}) == 0
    assert "Notification order_paid failed" in caplog.text
    buyer = factories.buyer()
    ok = Kind(key="order_paid", label="Order paid", signal=KINDS["order_paid"].signal,
              events=lambda **kw: [Event("order_paid:ORD-5", {buyer.pk: ""}, CONTEXT)])
    assert tell(ok, {}) == 1


def test_a_failing_mail_server_is_retried_and_after_the_retries_marked_failed(settings):
    from notifications.services import EmailUnavailable, notification_email_failed

    # given a notification and a mail server that is down
    buyer = factories.buyer()
    (notification,) = notify(kind="order_paid", event_key="order_paid:ORD-8", recipients=[buyer.pk], context=CONTEXT)
    settings.EMAIL_BACKEND = "tests.notifications.failing_email.EmailBackend"
    # when the task sends, then the failure is transient (the task retries) and the email stays pending
    with pytest.raises(EmailUnavailable):
        notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == "pending"
    # when the retries are spent, it is marked failed, and nothing sends it afterwards; the inbox keeps it
    assert notification_email_failed(notification_id=notification.pk, error="Connection unexpectedly closed") == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_send(notification_id=notification.pk) == "failed"
    assert mail.outbox == []


def test_beat_enqueues_again_the_emails_still_pending(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.services import notification_emails_redrive

    buyer = factories.buyer()
    (old,) = notify(kind="order_paid", event_key="order_paid:ORD-10", recipients=[buyer.pk], context=CONTEXT)
    notify(kind="order_paid", event_key="order_paid:ORD-11", recipients=[buyer.pk], context=CONTEXT)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert notification_emails_redrive() == 1  # the recent one is on its way still
    notification_email_send(notification_id=old.pk)
    assert notification_emails_redrive() == 0


def test_erasing_an_account_deletes_its_notifications_and_the_export_holds_them(reference_data):
    from privacy.selectors import personal_data
    from privacy.services import erasure_request

    buyer = factories.buyer()
    notify(kind="order_paid", event_key="order_paid:ORD-12", recipients=[buyer.pk], context=CONTEXT)
    email_preferences_set(user=buyer, email_kinds=["payout_made"])
    exported = personal_data(user=buyer).areas["notifications"]
    assert exported["inbox"][0]["kind"] == "order_paid" and "order_paid" in exported["email_off"]
    erasure_request(user=buyer, password=factories.PASSWORD)
    assert not Notification.objects.filter(recipient=buyer).exists()
