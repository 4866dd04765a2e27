"""Rendering e-mails from templates in the recipient's language, and turning outbox rows into
Django e-mail messages.

Templates come as a set sharing a prefix: `<prefix>_subject.txt`, `<prefix>_message.txt` and,
optionally, `<prefix>_message.html`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from mailings.registry import Attachment, Rendered

SUBJECT_PREFIX = "[OptoNet] "


def render_templates(
    template_prefix: str,
    context: dict,
    *,
    language: str,
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
) -> Rendered:
    context = {"portal_url": settings.PORTAL_BASE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return Rendered(
        subject=f"{SUBJECT_PREFIX}{subject}",
        text=text,
        html=html,
        attachments=attachments or [],
        headers=headers or {},
    )


def email_message(message, connection=None) -> EmailMultiAlternatives:
    """The Django e-mail for an outbox row (rendered already)."""
    headers = dict(message.headers or {})
    headers.setdefault("X-OptoNet-Message", f"{message.kind}/{message.pk}")
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for data in message.attachments or []:
        attachment = Attachment.from_json(data)
        content = attachment.content
        if attachment.mimetype.startswith("text/"):
            content = content.decode("utf-8")
        email.attach(attachment.filename, content, attachment.mimetype)
    return email
