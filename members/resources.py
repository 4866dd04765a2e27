"""Import and export of organisations and contacts (django-import-export) for the office's
go-live from its spreadsheet: CSV and XLSX, a dry run that lists each row's errors, all or
nothing, and a re-import of the same file that changes nothing (rows are matched to existing
records by e-mail address, organisations by name, both ignoring case)."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from members.models import Organization, OrganizationDomain, User
from members.selectors import may_administer_account

YES = {"1", "true", "yes", "ja", "x", "wahr"}


def _bool(value) -> bool:
    return str(value or "").strip().lower() in YES


class _NamedOrganizationWidget(widgets.ForeignKeyWidget):
    """An organisation by its name, ignoring case; an unknown name is the row's error."""

    def __init__(self):
        super().__init__(Organization, field="name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            return None
        organization = Organization.objects.filter(name__iexact=name).first()
        if organization is None:
            raise ValueError(_("Unknown organisation “%(name)s”.") % {"name": name})
        return organization


class _PortalResource(resources.ModelResource):
    """Shared behaviour: a duplicate of an earlier row of the same file is an error."""

    key_column = ""

    def before_import(self, dataset, **kwargs):
        self._seen: Counter = Counter()
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        key = str(row.get(self.key_column) or "").strip().lower()
        self._seen[key] += 1
        if key and self._seen[key] > 1:
            raise ValidationError(
                {self.key_column: _("“%(value)s” appears twice in the file.") % {"value": key}}
            )
        super().before_import_row(row, **kwargs)


class OrganizationResource(_PortalResource):
    key_column = "name"
    domains = fields.Field(column_name="domains")

    class Meta:
        model = Organization
        import_id_fields = ("name",)
        fields = (
            "name",
            "kind",
            "city",
            "website",
            "status",
            "member_since",
            "member_until",
            "domains",
        )
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def get_instance(self, instance_loader, row):
        name = str(row.get("name") or "").strip()
        return Organization.objects.filter(name__iexact=name).first() if name else None

    def dehydrate_domains(self, organization) -> str:
        return ", ".join(d.domain for d in organization.domains.all()) if organization.pk else ""

    @staticmethod
    def _domains(row) -> list[str]:
        return sorted(
            {d.strip().lower() for d in str(row.get("domains") or "").split(",") if d.strip()}
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        errors = []
        for domain in self._domains(row):
            if "@" in domain or "." not in domain:
                errors.append(_("“%(domain)s” is not an e-mail domain.") % {"domain": domain})
            owner = OrganizationDomain.objects.filter(domain=domain).exclude(
                organization__name__iexact=instance.name
            )
            if owner.exists():
                errors.append(
                    _("The domain “%(domain)s” belongs to another organisation.")
                    % {"domain": domain}
                )
        if errors:
            raise ValidationError({"domains": errors})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        unchanged_domains = (
            original is not None
            and original.pk
            and (self._domains(row) == sorted(original.domains.values_list("domain", flat=True)))
        )
        return bool(unchanged_domains) and super().skip_row(
            instance, original, row, import_validation_errors
        )

    def after_save_instance(self, instance, row, **kwargs):
        wanted = self._domains(row)
        if "domains" in row:
            instance.domains.exclude(domain__in=wanted).delete()
            for domain in wanted:
                OrganizationDomain.objects.get_or_create(organization=instance, domain=domain)


class ContactResource(_PortalResource):
    """People with or without a login, with their organisation and their roles there."""

    key_column = "email"
    organization = fields.Field(
        attribute="organization", column_name="organisation", widget=_NamedOrganizationWidget()
    )
    main_contact = fields.Field(attribute="is_main_contact", column_name="main_contact")
    coordinator = fields.Field(attribute="is_organization_coordinator", column_name="coordinator")
    survey_contact = fields.Field(column_name="survey_contact")
    login = fields.Field(column_name="login", readonly=True)

    class Meta:
        model = User
        import_id_fields = ("email",)
        fields = (
            "email",
            "title",
            "first_name",
            "last_name",
            "job_title",
            "function",
            "language",
            "organization",
            "main_contact",
            "coordinator",
            "survey_contact",
            "login",
        )
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_instance(self, instance_loader, row):
        email = str(row.get("email") or "").strip()
        return User.objects.filter(email__iexact=email).first() if email else None

    def before_import_row(self, row, **kwargs):
        row["email"] = str(row.get("email") or "").strip().lower()
        for column in ("main_contact", "coordinator", "survey_contact"):
            if column in row:
                row[column] = _bool(row[column])
        try:
            validate_email(row["email"])
        except ValidationError as exc:
            raise ValidationError(
                {"email": _("“%(value)s” is not a valid e-mail address.") % {"value": row["email"]}}
            ) from exc
        super().before_import_row(row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        actor = kwargs.get("user")
        if instance.pk and actor is not None and not may_administer_account(actor, instance):
            raise ValidationError(
                {"email": _("This is a staff account; only a superuser may change it.")}
            )
        super().import_instance(instance, row, **kwargs)

    def dehydrate_survey_contact(self, person) -> bool:
        organization = person.organization
        return bool(organization and organization.survey_contact_id == person.pk)

    def dehydrate_login(self, person) -> str:
        return "login" if person.has_usable_password() else "contact"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if "survey_contact" in row and original is not None and original.pk:
            is_survey = self.dehydrate_survey_contact(original)
            if bool(row["survey_contact"]) != is_survey:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            # A contact: known to the office, without a login until they claim it.
            instance.set_unusable_password()
            instance.source = User.Source.IMPORT
        super().after_init_instance(instance, new, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        organization = instance.organization
        if organization is not None and "survey_contact" in row:
            if row["survey_contact"] and organization.survey_contact_id != instance.pk:
                organization.survey_contact = instance
                organization.save(update_fields=["survey_contact", "updated"])
            elif not row["survey_contact"] and organization.survey_contact_id == instance.pk:
                organization.survey_contact = None
                organization.save(update_fields=["survey_contact", "updated"])
