"""Factories for the whole domain; catalogue rows come from the default catalogue migration."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from competencies.models import BenefitType, BusinessModelBlock, ResourceType, UsageFormat
from strategies import models as m

PASSWORD = "correct-horse-battery"


def catalogue(model, key=None):
    """A catalogue row from the migrated default catalogue."""
    rows = model.objects.order_by("order")
    return rows.get(key=key) if key else rows.first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def consultant_group(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name="consultants"))
        if create:
            self.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Client

    name = factory.Sequence(lambda n: f"Client {n} GmbH")
    industry = "Maschinenbau"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StrategyProject

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Social media strategy {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = m.Role.CONSULTANT


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Topic

    project = factory.SubFactory(ProjectFactory)
    block = factory.LazyFunction(lambda: catalogue(BusinessModelBlock))
    title = factory.Sequence(lambda n: f"Topic {n}")
    priority = 4
    social_media_affinity = 3


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.BusinessBenefit

    topic = factory.SubFactory(TopicFactory)
    benefit_type = factory.LazyFunction(lambda: catalogue(BenefitType))
    title = factory.Sequence(lambda n: f"Benefit {n}")
    priority = 4
    usage_format = factory.LazyFunction(lambda: catalogue(UsageFormat))


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ActionOption

    topic = factory.SubFactory(TopicFactory)
    benefit = factory.SubFactory(BenefitFactory, topic=factory.SelfAttribute("..topic"))
    title = factory.Sequence(lambda n: f"Option {n}")
    usage_format = factory.LazyFunction(lambda: catalogue(UsageFormat))
    effort = 3


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Competitor

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Competitor {n}")
    kind = m.CompetitorKind.PERFORMANCE


class PresenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CompetitorPresence

    competitor = factory.SubFactory(CompetitorFactory)
    topic = factory.SubFactory(TopicFactory, project=factory.SelfAttribute("..competitor.project"))
    strength = 3


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Resource

    project = factory.SubFactory(ProjectFactory)
    resource_type = factory.LazyFunction(lambda: catalogue(ResourceType))
    amount = 10


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ResourceRequirement

    option = factory.SubFactory(OptionFactory)
    resource_type = factory.LazyFunction(lambda: catalogue(ResourceType))
    amount = 5
    lead_time_weeks = 4


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Kpi

    benefit = factory.SubFactory(BenefitFactory)
    description = "Qualified leads from LinkedIn per quarter"
    metric = "Leads per quarter"
    baseline = 10
    target = 40
    unit = "leads"
    owner = "Head of sales"
    due_date = factory.Faker("date_between", start_date="+30d", end_date="+365d")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Platform

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Platform {n}")
    kind = m.PlatformKind.EXTERNAL


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StrategyVersion

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Version {n}")
