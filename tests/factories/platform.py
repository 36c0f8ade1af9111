"""Factories for the platform's rows: users and their roles, partner organisations with
their people, and audit events."""

import factory

from subsidy.platform.audit import audit_chain_append
from subsidy.platform.models import AuditEvent, PartnerMember, PartnerOrganisation, User, UserRole
from subsidy.platform.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.hk")
    full_name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-Battery-9")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            UserRole.objects.create(user=self, role=role)
        self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class UserRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserRole

    user = factory.SubFactory(UserFactory)
    role = Role.APPLICANT


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A plain audit row; code under test writes them through ``audit_record``."""

    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    actor_label = factory.SelfAttribute("actor.email")
    action = "round.updated"
    object_type = "fundinground"
    object_id = factory.Sequence(str)
    object_repr = "2026R1"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Chained like every record, so ``audit_verify`` holds on factory data too."""
        return audit_chain_append(model_class(*args, **kwargs))


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Incubator {n}")
    contact_email = factory.Sequence(lambda n: f"api{n}@partner.example.hk")


class PartnerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMember

    partner = factory.SubFactory(PartnerOrganisationFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.PARTNER])
