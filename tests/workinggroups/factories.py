from datetime import timedelta

import factory
from django.utils import timezone

from tests.members.factories import OfficeContactFactory, UserFactory
from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    slug = factory.Sequence(lambda n: f"gruppe-{n}")
    name_de = factory.Sequence(lambda n: f"Arbeitskreis {n}")
    name_en = factory.Sequence(lambda n: f"Working group {n}")
    summary_de = "Kurzbeschreibung"
    summary_en = "Summary"
    goals_de = "Austausch\nNetzwerk"
    goals_en = "Exchange\nNetwork"
    topics_de = "Recruiting"
    topics_en = "Recruiting"
    office_contact = factory.SubFactory(OfficeContactFactory)


class ModerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moderation

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.SubFactory(UserFactory)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.SubFactory(UserFactory)
    state = Follow.State.ACTIVE


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(WorkingGroupFactory)
    title = factory.Sequence(lambda n: f"Treffen {n}")
    description = "Agenda: Austausch"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=3))
    format = Meeting.Format.ON_SITE
    venue_name = "Testoptik GmbH"
    venue_address = "Musterstraße 1, 07745 Jena"
    status = Meeting.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    organization = factory.LazyAttribute(lambda r: r.user.organization if r.user else None)
