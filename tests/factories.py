import copy

import factory
from django.contrib.auth import get_user_model

from mitigations.models import Mitigation
from risks.defaults import DEFAULT_METHODOLOGY
from risks.models import (
    GlossaryTerm,
    Lesson,
    LessonSource,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)
from risks.services import methodology_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class RegisterFactory(factory.django.DjangoModelFactory):
    """A register with the default 5 x 5 methodology."""

    class Meta:
        model = Register
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REG-{n}")
    name = factory.Sequence(lambda n: f"Register {n}")
    version = "1.0"
    status = Register.Status.IN_USE

    @factory.post_generation
    def methodology(self, create, extracted, **kwargs):
        if create:
            methodology_create(
                register=self, fields=extracted or copy.deepcopy(DEFAULT_METHODOLOGY)
            )


class RiskAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskArea

    register = factory.SubFactory(RegisterFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Area {n}")
    statement = "The risk that something goes wrong."


class SubRiskFactory(factory.django.DjangoModelFactory):
    """A sub-risk; pass likelihood and impact as scale values (1 to 5)."""

    class Meta:
        model = SubRisk
        exclude = ["likelihood_value", "impact_value"]

    area = factory.SubFactory(RiskAreaFactory)
    statement = factory.Sequence(lambda n: f"The risk that thing {n} fails.")
    likelihood_value = 3
    impact_value = 3
    likelihood = factory.LazyAttribute(
        lambda o: o.area.register.methodology.likelihood_levels.get(
            value=o.likelihood_value
        )
    )
    impact = factory.LazyAttribute(
        lambda o: o.area.register.methodology.impact_levels.get(value=o.impact_value)
    )


class RiskFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFactor

    area = factory.SubFactory(RiskAreaFactory)
    text = factory.Sequence(lambda n: f"Risk factor {n}")


class MitigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mitigation

    area = factory.SubFactory(RiskAreaFactory)
    kind = Mitigation.Kind.CURRENT
    text = factory.Sequence(lambda n: f"Mitigation {n}")


class LessonSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonSource

    register = factory.SubFactory(RegisterFactory)
    key = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Source {n}")


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    source = factory.SubFactory(LessonSourceFactory)
    number = factory.Sequence(lambda n: n + 1)
    problem = "A problem and its solution."
    lesson = "A lesson."


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    register = factory.SubFactory(RegisterFactory)
    abbreviation = factory.Sequence(lambda n: f"AB{n}")
    meaning = "A Bbreviation"
