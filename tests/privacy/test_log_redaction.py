"""The log filter (ewtp/log_redaction.py) keeps personal data out of every log line: emails, phone
numbers, tax ids, addresses, the record's person's name, SQL values and tracebacks; and every handler has it."""

from __future__ import annotations

import io
import logging

import pytest

from ewtp.log_redaction import RedactPersonalData, install_on_all_handlers, redact


@pytest.mark.parametrize(("text", "expected"), [
    ("Sent to ada.lovelace+orders@example.co.uk today", "Sent to [email] today"),
    ("call +49 30 1234567 or 0044 20 7946 0958", "call [phone] or [phone]"),
    ("mobile 13800138000.", "mobile [phone]."),
    ("VAT DE123456789 and EORI GB123456789000", "VAT [tax id] and EORI [tax id]"),
    ("VAT DE 136 695 976, EORI DE1234567.", "VAT [tax id], EORI [tax id]."),
    ("USCC 91330100MA27XXXX1Y", "USCC [tax id]"),
    ("ID 11010519491231002X", "ID [id number]"),
    ("ship to 221B Baker Street, London", "ship to [address], London"),
    ("ship to Torstraße 45, Berlin", "ship to [address], Berlin"),
    ("寄往 西湖区龙井路18号", "寄往 [address]"),
    # what is not personal data stays readable
    ("Order ORD-000012 paid 168.00 CNY at 2026-12-04 18:32:54 (case 7, HS 090210)",
     "Order ORD-000012 paid 168.00 CNY at 2026-12-04 18:32:54 (case 7, HS 090210)"),
    ("GET /api/v1/orders/12/ 200 1534", "GET /api/v1/orders/12/ 200 1534"),
    ("tracking EE123456789CN, MRN 24GB1234567890ABC1", "tracking EE123456789CN, MRN 24GB1234567890ABC1"),
    ("Task customs.tasks.case_screen[ab12] succeeded in 0.007423700000043808s: None",
     "Task customs.tasks.case_screen[ab12] succeeded in 0.007423700000043808s: None"),
    ("took 1.12345678901234567X", "took 1.12345678901234567X"),
])
def test_patterns_that_are_personal_data_wherever_they_show(text, expected):
    assert redact(text) == expected


def _record(msg, *args, name="ewtp.test", **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def _formatted(record: logging.LogRecord) -> str:
    assert RedactPersonalData().filter(record) is True  # never drops a record
    return logging.Formatter("%(message)s").format(record)


class Person:
    email, full_name, address_line, postcode = "mei.chen@example.cn", "Chen Mei", "Flat 3, Rose Court", "EC1A 1BB"


def test_the_records_person_is_redacted_from_the_message_and_its_args():
    record = _record("Checkout for %s shipping to %s, %s", "Chen Mei", "Flat 3, Rose Court", "EC1A 1BB",
                     person=Person())
    assert _formatted(record) == "Checkout for [personal data] shipping to [personal data], [personal data]"
    assert record.args is None


def test_the_signed_in_user_of_the_request_is_known_to_the_filter(rf):
    from ewtp.log_redaction import PersonInLogsMiddleware

    request = rf.get("/")
    request.user = Person()
    Person.is_authenticated = True
    seen = []

    def view(request):
        seen.append(_formatted(_record("profile of chen mei saved")))
        return None

    PersonInLogsMiddleware(view)(request)
    assert seen == ["profile of [personal data] saved"]
    assert _formatted(_record("profile of chen mei saved")) == "profile of chen mei saved"  # after the request


def test_sql_logs_keep_the_statement_not_the_values():
    sql = "INSERT INTO \"marketplace_user\" (\"email\", \"full_name\") VALUES ('mei@example.cn', 'O''Brien Mei')"
    record = _record("(%.3f) %s; args=%s; alias=%s", 0.001, sql, ["mei@example.cn", "O'Brien Mei"], "default",
                     name="django.db.backends", sql=sql, params=["mei@example.cn", "O'Brien Mei"])
    text = _formatted(record)
    assert text == "(0.001) INSERT INTO \"marketplace_user\" (\"email\", \"full_name\") VALUES ('?', '?'); " \
                   "args=[redacted]; alias=default"
    assert record.sql == record.params == "[redacted]"


def test_tracebacks_are_redacted_too():
    try:
        raise ValueError("duplicate key: mei@example.cn")
    except ValueError:
        import sys

        record = logging.LogRecord("ewtp.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = _formatted(record)
    assert "mei@example.cn" not in text and "ValueError: duplicate key: [email]" in text


def test_a_bad_format_string_is_still_logged_redacted():
    assert "[email]" in _formatted(_record("%d for %s", "x", "a@b.example"))


def test_every_configured_handler_has_the_filter():
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    handlers = {h for lg in loggers for h in lg.handlers
                if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)}
    assert handlers, "settings LOGGING configured no handler"
    for handler in handlers:
        owners = [lg.name for lg in loggers if handler in lg.handlers]
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters), (handler, owners)
    # Django's own loggers send to ours rather than to handlers of their own without the filter
    assert logging.getLogger("django").handlers == [] and logging.getLogger("django.server").handlers == []


def test_handlers_added_later_get_it_too():
    """Celery's worker replaces the root handlers with its own: its logging signals call this."""
    logger = logging.getLogger("celery.test-privacy")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        assert install_on_all_handlers() >= 1
        assert install_on_all_handlers() == 0  # once
        logger.warning("retrying for %s", "mei@example.cn")
        assert stream.getvalue() == "retrying for [email]\n"
    finally:
        logger.removeHandler(handler)


def test_a_celery_worker_s_own_log_handlers_redact_too(tmp_path):
    """`celery worker` replaces the root logger's handlers with its own (Celery's logging setup, run here in
    a process of its own as the worker runs it): ewtp/celery.py gives them the filter."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup()\n"
        "from ewtp.celery import app\n"
        "app.log.setup(loglevel='INFO')\n"
        "import logging\n"
        "from celery.utils.log import get_task_logger\n"
        "logging.getLogger('ewtp.anything').warning('mail to %s', 'mei@example.cn')\n"
        "get_task_logger('ewtp.some_task').warning('task for +86 138 0013 8000')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ewtp.settings.test", "EWTP_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "mail to [email]" in output and "task for [phone]" in output
    assert "mei@example.cn" not in output and "138 0013 8000" not in output
