"""Outgoing mail. Every message is kept in the outbox (the site admin can read it there); with
SMTP configured it is also sent, so a local run without SMTP still shows every invitation."""
from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from tortoise import fields
from tortoise.models import Model

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


async def send_mail(settings, to: str, subject: str, body: str) -> OutboxMessage:
    record = await OutboxMessage.create(to=to, subject=subject, body=body)
    if not settings.smtp_host:
        log.info("Mail to %s (no SMTP configured, kept in the outbox): %s\n%s", to, subject, body)
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
