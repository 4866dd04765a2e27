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
