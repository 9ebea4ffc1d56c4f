import os

import pytest

from penhas_api.core.adapters.mail import send_mail
from penhas_api.core.adapters.sms import LogSms, mask_number
from penhas_api.core.adapters.storage import DiskStorage, StorageError, get_storage
from penhas_api.core.models import EmailOutbox
from tests.helpers import needs_s3, needs_sns


def test_disk_storage_round_trip_and_refuses_escaping_keys(tmp_path):
    s = DiskStorage(tmp_path)
    s.put("a/b/c.bin", b"data")
    assert s.get("a/b/c.bin") == b"data" and s.exists("a/b/c.bin")
    assert list(s.list("a/")) == [("a/b/c.bin", 4)]
    s.delete("a/b/c.bin")
    s.delete("a/b/c.bin")
    assert not s.exists("a/b/c.bin")
    with pytest.raises(StorageError):
        s.put("../escape", b"x")
    with pytest.raises(StorageError):
        s.get("missing")


@needs_s3
def test_s3_storage_round_trip():
    s = get_storage()
    assert s.name == "s3"
    s.put("tests/obj.bin", b"\x00\x01")
    assert s.get("tests/obj.bin") == b"\x00\x01" and s.exists("tests/obj.bin")
    assert ("tests/obj.bin", 2) in list(s.list("tests/"))
    s.delete("tests/obj.bin")
    assert not s.exists("tests/obj.bin")
    with pytest.raises(StorageError):
        s.get("tests/obj.bin")


def test_mask_number_hides_the_middle():
    assert mask_number("+5511987654321") == "+5511*******21"
    assert "98765" not in mask_number("+5511987654321")


def test_log_sms_returns_an_id():
    assert LogSms().send("+5511987654321", "oi").startswith("log-")


@needs_sns
def test_sns_publish_returns_message_id():
    from penhas_api.core.adapters.sms import SnsSms
    from penhas_api.core.adapters.storage import boto_client

    sms = SnsSms(boto_client("sns", os.environ["SNS_ENDPOINT_URL"]))
    assert sms.send("+5511987654321", "teste")


def test_mail_log_backend_keeps_outbox_row(db):
    send_mail("a@example.com", "Assunto", "Corpo")
    row = EmailOutbox.get()
    assert (row.backend, row.subject, row.body) == ("log", "Assunto", "Corpo")


def test_mail_smtp_backend_delivers_to_a_real_server(db, smtp_server):
    send_mail("b@example.com", "Código", "Seu código: 123456", sensitive=True)
    assert len(smtp_server) == 1
    assert smtp_server[0]["To"] == "b@example.com"
    assert "123456" in smtp_server[0].get_payload(decode=True).decode()
    # Sensitive bodies sent by SMTP are not kept in the outbox.
    assert EmailOutbox.get().body == ""
