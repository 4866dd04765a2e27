"""Rendering and sending the portal's own e-mails, in the recipient's language.

Templates come as a set sharing a prefix: `<prefix>_subject.txt`, `<prefix>_message.txt` and,
optionally, `<prefix>_message.html`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def build_message(
    template_prefix: str,
    *,
    to: Sequence[str],
    context: dict,
    language: str = "de",
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
) -> EmailMultiAlternatives:
    context = {"portal_url": settings.PORTAL_BASE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        subject = " ".join(subject.split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject=f"[OptoNet] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_templated_mail(template_prefix: str, **kwargs) -> None:
    build_message(template_prefix, **kwargs).send(fail_silently=False)


def is_transient_smtp_error(exc: BaseException) -> bool:
    """Worth retrying: connection problems and 4xx answers. 5xx answers are final."""
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc,
        smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError,
    )


def retry_delay(retries: int) -> int:
    """30 s, 1 min, 2 min … capped at 30 min (below the broker's visibility timeout)."""
    return min(30 * 2**retries, 1800)
