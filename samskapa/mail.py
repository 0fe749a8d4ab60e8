"""Outgoing mail. Every message is kept in the outbox (the site admin can read it there); with
SMTP configured it is also sent.

The outbox never holds a live secret: links that sign someone in, reset a password, accept an
invitation or prove an address are replaced by a placeholder before the copy is stored (the
database never sees them either), so reading the outbox opens nobody's account. Without SMTP the
whole mail, links included, goes only to the server's log (a development setup), and outbox mail
is deleted after `settings.outbox_days`."""
from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from tortoise import fields
from tortoise.models import Model

from samskapa import clock
from samskapa.i18n import gettext

log = logging.getLogger("samskapa.mail")


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    to = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent = fields.BooleanField(default=False)
    error = fields.TextField(null=True)

    class Meta:
        table = "outbox_messages"
        ordering = ["-id"]


def _send_smtp(settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_tls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


async def purge_outbox(settings) -> None:
    cutoff = clock.now() - timedelta(days=settings.outbox_days)
    await OutboxMessage.filter(created_at__lt=cutoff).delete()


async def send_mail(settings, to: str, subject: str, body: str, *,
                    secret_links: tuple[str, ...] = ()) -> OutboxMessage:
    """Sends `body` as it is; the outbox keeps it with each of `secret_links` hidden."""
    await purge_outbox(settings)
    kept = body
    for link in secret_links:
        kept = kept.replace(link, gettext("[link hidden: it works only for the recipient]"))
    record = await OutboxMessage.create(to=to, subject=subject, body=kept)
    if not settings.smtp_host:
        # WARNING so it shows with default logging: this log is the only place the link is.
        log.warning("No SMTP configured: mail to %s only in this log (the outbox hides its "
                    "links): %s\n%s", to, subject, body, extra={"mail": (to, subject, body)})
        return record
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message.set_content(body)
    try:
        await asyncio.to_thread(_send_smtp, settings, message)
        record.sent = True
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Could not send mail to %s: %s", to, exc)
        record.error = str(exc)
    await record.save(update_fields=["sent", "error"])
    return record
