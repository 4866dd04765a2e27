"""E-mail backends that fail like real SMTP servers do, for the retry tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RejectingBackend(BaseEmailBackend):
    """A server that refuses every recipient permanently (550)."""

    def send_messages(self, email_messages):
        recipients = {r: (550, b"5.1.1 unknown recipient") for m in email_messages for r in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)
