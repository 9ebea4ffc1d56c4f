"""E-mail: SMTP in production; embedded, the message goes to the log and the ``email_outbox`` table."""
import logging
import smtplib
from email.message import EmailMessage

from penhas_api.core import clock
from penhas_api.core.retry import with_backoff
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.mail")


def send_mail(to_address: str, subject: str, body: str, cliente_id: int | None = None,
              sensitive: bool = False) -> None:
    """Send one plain-text message. ``sensitive`` bodies (reset codes) are never logged nor kept, by any backend:
    nothing that grants access to an account is stored in clear."""
    from penhas_api.core.models import EmailOutbox

    s = get_settings()
    backend = "smtp" if s.smtp_host else "log"
    if backend == "smtp":
        msg = EmailMessage()
        msg["From"] = s.smtp_from
        msg["To"] = to_address
        msg["Subject"] = subject
        msg.set_content(body)

        def deliver():
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
                smtp.send_message(msg)

        with_backoff(deliver, attempts=3, retry_on=(OSError, smtplib.SMTPException))
        log.info("mail sent via smtp subject=%r", subject)
        kept_body = "" if sensitive else body
    else:
        log.info("mail (log backend) subject=%r%s", subject, "" if sensitive else f" body={body!r}")
        kept_body = "" if sensitive else body
    EmailOutbox.create(created_at=clock.now(), to_address=to_address, subject=subject, body=kept_body,
                       backend=backend, sent_at=clock.now(), cliente=cliente_id)
