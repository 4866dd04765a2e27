"""Go-live from the office's spreadsheet: organisations and contacts import from CSV and XLSX
through the admin (dry run, then confirm), all or nothing, and a re-import changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from members.models import AuditEvent, Organization, OrganizationDomain, User

pytestmark = pytest.mark.django_db

ORGANISATIONS = [
    ["name", "kind", "city", "website", "status", "member_since", "member_until", "domains"],
    [
        "Jenoptik Demo AG",
        "company",
        "Jena",
        "https://jenoptik.example",
        "active",
        "2001-01-01",
        "",
        "jenoptik.example, jenoptik-demo.example",
    ],
    ["Leibniz-IPHT Demo", "research", "Jena", "", "active", "1999-05-01", "", "ipht.example"],
]
CONTACTS = [
    [
        "email",
        "title",
        "first_name",
        "last_name",
        "job_title",
        "function",
        "language",
        "organisation",
        "main_contact",
        "coordinator",
        "survey_contact",
    ],
    [
        "anke.muster@jenoptik.example",
        "Dr.",
        "Anke",
        "Muster",
        "Geschäftsführerin",
        "executive",
        "de",
        "Jenoptik Demo AG",
        "yes",
        "no",
        "yes",
    ],
    [
        "Ben.Beispiel@IPHT.example",
        "",
        "Ben",
        "Beispiel",
        "HR",
        "hr",
        "en",
        "leibniz-ipht demo",
        "no",
        "yes",
        "no",
    ],
]


def _file(rows, fmt):
    if fmt == "csv":
        text = "\n".join(";".join(f'"{c}"' for c in row) for row in rows)
        return SimpleUploadedFile("data.csv", text.replace(";", ",").encode(), "text/csv")
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("data.xlsx", buffer.getvalue())


def _format_index(client, url, fmt):
    form = client.get(url).context["form"]
    return next(str(k) for k, label in form.fields["format"].choices if label.lower() == fmt)


def _import(client, model, rows, fmt):
    """Upload (dry run), then confirm if the dry run allows it. Returns the dry run's page."""
    url = f"/admin/members/{model}/import/"
    dry = client.post(
        url,
        {
            "resource": "0",
            "format": _format_index(client, url, fmt),
            "import_file": _file(rows, fmt),
        },
    )
    assert dry.status_code == 200
    confirm = dry.context.get("confirm_form")
    if confirm is not None:
        done = client.post(f"/admin/members/{model}/process_import/", dict(confirm.initial))
        assert done.status_code == 302, done.content.decode()[:3000]
    return dry


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_and_a_second_import_changes_nothing(staff_client, fmt):
    _import(staff_client, "organization", ORGANISATIONS, fmt)
    _import(staff_client, "user", CONTACTS, fmt)
    jenoptik = Organization.objects.get(name="Jenoptik Demo AG")
    assert set(jenoptik.domains.values_list("domain", flat=True)) == {
        "jenoptik.example",
        "jenoptik-demo.example",
    }
    anke = User.objects.get(email="anke.muster@jenoptik.example")
    assert (anke.organization, anke.is_main_contact, anke.source) == (jenoptik, True, "import")
    assert not anke.has_usable_password()  # a contact: no login
    jenoptik.refresh_from_db()
    assert jenoptik.survey_contact == anke
    ben = User.objects.get(email="ben.beispiel@ipht.example")  # stored in lower case
    assert ben.is_organization_coordinator and ben.organization.name == "Leibniz-IPHT Demo"

    before = (
        list(Organization.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(OrganizationDomain.objects.order_by("pk").values()),
    )
    dry = _import(staff_client, "organization", ORGANISATIONS, fmt)
    assert dry.context["result"].totals["skip"] == 2
    dry = _import(staff_client, "user", CONTACTS, fmt)
    assert dry.context["result"].totals["skip"] == 2
    after = (
        list(Organization.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(OrganizationDomain.objects.order_by("pk").values()),
    )
    assert after == before
    assert AuditEvent.objects.filter(action="members.contacts.imported").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_file_imports_nothing_and_names_each_rows_error(staff_client, fmt):
    _import(staff_client, "organization", ORGANISATIONS, fmt)
    users_before = User.objects.count()
    bad = [
        CONTACTS[0],
        [
            "ok@jenoptik.example",
            "",
            "Ok",
            "Person",
            "",
            "other",
            "de",
            "Jenoptik Demo AG",
            "",
            "",
            "",
        ],
        ["not-an-address", "", "Bad", "Address", "", "other", "de", "Jenoptik Demo AG", "", "", ""],
        ["x@unknown.example", "", "Unknown", "Org", "", "other", "de", "Nowhere GmbH", "", "", ""],
        [
            "OK@jenoptik.example",
            "",
            "Twice",
            "Inthefile",
            "",
            "other",
            "de",
            "Jenoptik Demo AG",
            "",
            "",
            "",
        ],
    ]
    dry = _import(staff_client, "user", bad, fmt)
    assert dry.context.get("confirm_form") is None  # all or nothing: no import offered
    html = dry.content.decode()
    assert "not-an-address" in html and "keine gültige E-Mail-Adresse" in html
    assert "Unbekannte Organisation „Nowhere GmbH“" in html
    assert "zweimal in der Datei" in html
    assert User.objects.count() == users_before


def test_templates_and_exports_for_the_office(staff_client):
    _import(staff_client, "organization", ORGANISATIONS, "xlsx")
    _import(staff_client, "user", CONTACTS, "xlsx")
    template = staff_client.get("/admin/members/user/import-template.xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.rows)]
    assert header[:4] == ["email", "title", "first_name", "last_name"]
    assert "organisation" in header and "survey_contact" in header
    columns = ["email", "first_name", "last_name", "organization", "login"]
    export = staff_client.post(
        "/admin/members/user/export/",
        {"format": "0", "resource": "0", **{f"contactresource_{c}": "on" for c in columns}},
    )
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert ("anke.muster@jenoptik.example", "Anke", "Muster", "Jenoptik Demo AG", "contact") in rows
    assert AuditEvent.objects.filter(action="members.contacts.exported").exists()


def test_staff_accounts_are_not_changed_by_an_import(staff_client):
    from tests.members.factories import UserFactory

    colleague = UserFactory(email="boss@optonet.example", is_staff=True, organization=None)
    rows = [CONTACTS[0][:4], [colleague.email, "", "Hijacked", "Name"]]
    dry = _import(staff_client, "user", rows, "csv")
    assert dry.context.get("confirm_form") is None
    colleague.refresh_from_db()
    assert colleague.first_name != "Hijacked"
