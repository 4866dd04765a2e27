"""Names of downloaded files spell umlauts out; the spreadsheet's dates are dates."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory
from workinggroups.exports import filename_slug
from workinggroups.models import Registration

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Rückblick Größe", "rueckblick-groesse"),
        ("ÄRGER ÜBER ÖL", "aerger-ueber-oel"),
        ("Straße", "strasse"),
        ("Café Émile à Besançon", "cafe-emile-a-besancon"),
        ("Søren Łódź Æther", "soren-lodz-aether"),
        ("CO₂-Fußabdruck", "co2-fussabdruck"),
        ("Ru\u0308ckblick", "rueckblick"),  # "u" with a combining diaeresis, as macOS types it
        ("  Treffen: 3/2026 (Jena)  ", "treffen-3-2026-jena"),
        ("!!!", ""),
    ],
)
def test_filename_slug_spells_out_umlauts_and_drops_only_accents(text, slug):
    assert filename_slug(text) == slug


def test_filename_slug_is_cut_at_the_end_of_a_word():
    title = "Onboarding internationaler Fachkräfte – Erfahrungen aus der Praxis"
    assert filename_slug(title) == "onboarding-internationaler-fachkraefte"
    assert filename_slug("x" * 60) == "x" * 40


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_attendee_list_file_names_spell_out_umlauts(moderator_client, group, file_format):
    meeting = MeetingFactory(
        group=group,
        title="Rückblick: Größere Öfen für Süßwaren",
        starts_at=datetime(2026, 12, 3, 0, 30, tzinfo=BERLIN),  # 2 December in UTC
    )
    RegistrationFactory(meeting=meeting)
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.{file_format}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="optonet-rueckblick-groessere-oefen-fuer-2026-12-03.{file_format}"'
    )


def test_xlsx_registration_times_are_date_cells_in_berlin_time(moderator_client, group):
    meeting = MeetingFactory(group=group)
    confirmed = RegistrationFactory(meeting=meeting, user=UserFactory(last_name="Zeitstempel"))
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted")
    moments = {
        confirmed.pk: datetime(2026, 7, 1, 9, 5, 7, tzinfo=BERLIN),  # summer time
        waiting.pk: datetime(2026, 1, 15, 18, 45, tzinfo=BERLIN),  # winter time
    }
    for pk, moment in moments.items():
        Registration.objects.filter(pk=pk).update(created_at=moment)

    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.xlsx")
    sheets = load_workbook(io.BytesIO(response.content)).worksheets
    header = [cell.value for cell in sheets[0][1]]
    column = header.index("Angemeldet am") + 1
    cells = [sheet.cell(row=2, column=column) for sheet in sheets]
    assert [cell.value for cell in cells] == [
        datetime(2026, 7, 1, 9, 5, 7),
        datetime(2026, 1, 15, 18, 45),
    ]
    for cell in cells:
        assert cell.is_date and cell.data_type == "d"
        assert cell.number_format == "DD.MM.YYYY HH:MM"
    # The other columns stay text.
    name = sheets[0].cell(row=2, column=1)
    assert name.data_type == "s" and "Zeitstempel" in name.value
