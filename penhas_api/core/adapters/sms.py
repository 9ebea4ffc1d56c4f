"""SMS: Amazon SNS in production, the log embedded. ``send`` returns the provider's message id."""
import logging
import uuid
from functools import lru_cache

from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.sms")


class SmsError(Exception):
    pass


def mask_number(number: str) -> str:
    """Keep country/area code and the last 2 digits: enough to tell numbers apart, not to call one."""
    if not number:
        return ""
    keep_head = 5 if number.startswith("+") else 4
    if len(number) <= keep_head + 2:
        return number[:2] + "*" * max(0, len(number) - 2)
    return number[:keep_head] + "*" * (len(number) - keep_head - 2) + number[-2:]


class LogSms:
    name = "log"

    def send(self, number_e164: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4()}"
        # Never the text: it carries her name, her position and invite tokens. `penhas sms list --show-texts`
        # shows it from the database to an operator who asks.
        log.info("sms (log backend) to=%s id=%s chars=%d", mask_number(number_e164), message_id, len(text))
        return message_id

    def ping(self) -> None:
        return None


class SnsSms:
    name = "sns"

    def __init__(self, client):
        self.client = client

    def send(self, number_e164: str, text: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            resp = self.client.publish(
                PhoneNumber=number_e164,
                Message=text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                },
            )
        except (BotoCoreError, ClientError) as exc:
            raise SmsError(f"SNS publish failed: {exc.__class__.__name__}") from exc
        log.info("sms sent to=%s id=%s", mask_number(number_e164), resp.get("MessageId"))
        return resp["MessageId"]

    def ping(self) -> None:
        self.client.get_sms_attributes(attributes=["DefaultSMSType"])


@lru_cache(maxsize=4)
def _sms_for(backend: str, endpoint: str | None):
    if backend == "sns":
        from penhas_api.core.adapters.storage import boto_client

        # One HTTP attempt per call: the send_sms task retries with backoff and counts every attempt, and a
        # worker thread must not sit in botocore's own back-off sleeps while other alerts wait.
        return SnsSms(boto_client("sns", endpoint, max_attempts=1))
    return LogSms()


def get_sms():
    s = get_settings()
    return _sms_for(s.sms_backend, s.sns_endpoint_url)
