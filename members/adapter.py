"""django-allauth hooks: e-mails through the outbox in the portal's layout, and linking a
person to their organisation after a verified address."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mailings.registry import Rendered
from mailings.services import NewMessage, outbox_enqueue
from members import services
from members.models import User

# allauth e-mails that carry a secret (a confirmation or reset link, a code): the admin never
# shows their text, and it is emptied once sent.
_SECRET_TEMPLATES = ("email_confirmation", "password_reset", "login_code", "email_confirm")


class PortalSite:
    """What allauth's templates call `current_site`: the portal's name and public address,
    not the host and port a request happened to come in on."""

    name = _("OptoNet member portal")
    # allauth's texts say "… an account on {site_domain}": the portal's name reads right there.
    domain = name


def _links_to_the_portal(context: dict) -> dict:
    """allauth builds its links (confirm, reset, sign up) from the request's host; e-mails link
    to the portal's public address instead, like every other e-mail of the portal."""
    from allauth.core import context as allauth_context

    request = getattr(allauth_context, "request", None)
    if request is None:
        return context
    origin = request.build_absolute_uri("/").rstrip("/")
    return {
        key: value.replace(origin, settings.PORTAL_BASE_URL, 1)
        if isinstance(value, str) and value.startswith(origin)
        else value
        for key, value in context.items()
    }


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed or email_address.verified:
            services.membership_link_after_verification(
                user=email_address.user, email=email_address.email
            )
        return confirmed

    def send_account_already_exists_mail(self, email: str) -> None:
        """Not when the sign-up takes over a contact: that person got the claim e-mail."""
        from allauth.core import context as allauth_context

        request = getattr(allauth_context, "request", None)
        if getattr(request, "_portal_claim_sent_to", None) == email.lower():
            return
        super().send_account_already_exists_mail(email)

    def format_email_subject(self, subject: str) -> str:
        return f"[OptoNet] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the recipient's language, wrap in the portal's HTML layout, and queue it
        in the outbox (sent after the request's transaction commits)."""
        person = User.objects.filter(email__iexact=email).first()
        language = person.language if person else translation.get_language() or "de"
        context = _links_to_the_portal(context)
        with translation.override(language):
            ctx = {"email": email, **context, "current_site": PortalSite()}
            message = self.render_mail(template_prefix, email, ctx)
            html = next(
                (
                    body
                    for body, mime in getattr(message, "alternatives", [])
                    if mime == "text/html"
                ),
                "",
            ) or render_to_string(
                "account/email/_portal_message.html",
                {
                    "subject": message.subject,
                    "heading": message.subject.removeprefix("[OptoNet] "),
                    "text": message.body,
                },
            )
        name = template_prefix.rsplit("/", 1)[-1]
        outbox_enqueue(
            NewMessage(
                kind=f"account.{name}",
                to_email=email,
                language=language,
                recipient_id=person.pk if person else None,
                rendered=Rendered(subject=message.subject, text=message.body, html=html),
                sensitive=name.startswith(_SECRET_TEMPLATES),
                essential=True,
            )
        )
