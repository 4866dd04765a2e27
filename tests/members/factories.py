import factory
from allauth.account.models import EmailAddress

from members.models import Function, OfficeContact, Organization, OrganizationDomain, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Testoptik {n} GmbH")
    kind = Organization.Kind.COMPANY
    city = "Jena"
    status = Organization.Status.ACTIVE


class OrganizationDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationDomain

    organization = factory.SubFactory(OrganizationFactory)
    domain = factory.Sequence(lambda n: f"testoptik{n}.example")


class UserFactory(factory.django.DjangoModelFactory):
    """A verified person; linked to a member organisation unless organization=None."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Vorname{n}")
    last_name = factory.Sequence(lambda n: f"Nachname{n}")
    function = Function.OTHER
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OfficeContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeContact

    name = factory.Sequence(lambda n: f"Kontakt {n}")
    role_de = "Geschäftsführerin"
    role_en = "Managing Director"
    phone = "+49 3641 000000"
