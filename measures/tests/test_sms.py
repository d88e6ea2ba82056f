"""The pluggable text-message backends."""

import json

import pytest

from toolkit import sms


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.KETACARE_SMS_BACKEND = "toolkit.sms.ConsoleSmsBackend"
    sms.send_sms("555-0100", "Your link: https://example.invalid/q/x/")
    out = capsys.readouterr().out
    assert "SMS to 555-0100" in out and "https://example.invalid/q/x/" in out


def test_the_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.KETACARE_SMS_BACKEND = "toolkit.sms.FileSmsBackend"
    settings.KETACARE_SMS_FILE = str(tmp_path / "out" / "sms.jsonl")
    sms.send_sms("555-0100", "first")
    sms.send_sms(" 555-0101 ", "second")
    lines = [json.loads(line) for line in (tmp_path / "out" / "sms.jsonl").read_text().splitlines()]
    assert [(m["to"], m["body"]) for m in lines] == [("555-0100", "first"), ("555-0101", "second")]


def test_no_number_or_a_failing_gateway_raise_sms_error(settings):
    with pytest.raises(sms.SmsError, match="No phone number"):
        sms.send_sms("  ", "x")
    settings.KETACARE_SMS_BACKEND = "measures.tests.test_links.BrokenSms"
    with pytest.raises(sms.SmsError, match="gateway down"):
        sms.send_sms("555-0100", "x")
