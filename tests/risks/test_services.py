import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mitigations.models import Mitigation
from risks.models import SubRisk
from risks.services import (
    StaleRevisionError,
    mitigation_make_current,
    record_archive,
    record_create,
    record_restore,
    record_update,
)
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    SubRiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_update_raises_revision_and_rates_again():
    editor = UserFactory()
    subrisk = SubRiskFactory(likelihood_value=1, impact_value=4)
    likely = subrisk.area.register.methodology.likelihood_levels.get(value=4)

    updated = record_update(
        instance=subrisk, user=editor, revision=1, fields={"likelihood": likely}
    )

    assert (updated.revision, updated.rating.name) == (2, "High")
    record = updated.history.first()
    assert record.history_user == editor
    assert record.diff_against(record.prev_record).changed_fields == [
        "likelihood",
        "rating",
        "revision",
    ]


def test_update_from_an_older_revision_changes_nothing():
    subrisk = SubRiskFactory(statement="Original")
    record_update(instance=subrisk, user=None, revision=1, fields={"statement": "A"})

    with pytest.raises(StaleRevisionError) as raised:
        record_update(
            instance=subrisk, user=None, revision=1, fields={"statement": "B"}
        )

    subrisk.refresh_from_db()
    assert subrisk.statement == "A"
    assert raised.value.current.revision == 2


def test_update_refuses_a_level_of_another_register():
    subrisk = SubRiskFactory()
    foreign = RegisterFactory().methodology.likelihood_levels.get(value=5)

    with pytest.raises(ValidationError) as raised:
        record_update(
            instance=subrisk, user=None, revision=1, fields={"likelihood": foreign}
        )

    assert raised.value.message_dict == {
        "likelihood": ["Choose a likelihood of this register's scale."]
    }


def test_create_assigns_key_reference_and_rating():
    area = RiskAreaFactory(register__reference="SRR-T", number=4)
    SubRiskFactory(area=area)
    methodology = area.register.methodology

    created = record_create(
        model=SubRisk,
        user=None,
        fields={
            "area": area,
            "statement": "The risk that it rains.",
            "likelihood": methodology.likelihood_levels.get(value=5),
            "impact": methodology.impact_levels.get(value=5),
        },
    )

    assert (created.key, created.reference, created.rating.name) == (
        "b",
        "SRR-T/4.b",
        "Very High",
    )


def test_archive_hides_and_restore_brings_back():
    subrisk = SubRiskFactory()

    archived = record_archive(instance=subrisk, user=None, revision=1)
    assert not SubRisk.objects.active().filter(pk=subrisk.pk).exists()
    restored = record_restore(instance=archived, user=None, revision=2)

    assert SubRisk.objects.active().filter(pk=subrisk.pk).exists()
    assert restored.revision == 3
    assert [h.history_type for h in restored.history.all()] == ["~", "~", "+"]


def test_implemented_proposal_becomes_current_keeping_its_history():
    mitigation = MitigationFactory(
        kind=Mitigation.Kind.PROPOSED, status=Mitigation.Status.IMPLEMENTED
    )

    current = mitigation_make_current(mitigation=mitigation, user=None, revision=1)

    assert (current.pk, current.kind, current.status) == (mitigation.pk, "current", "")
    assert current.history.count() == 2


def test_only_implemented_proposals_become_current():
    mitigation = MitigationFactory(
        kind=Mitigation.Kind.PROPOSED,
        status=Mitigation.Status.AGREED,
        due_date=timezone.localdate(),
    )

    with pytest.raises(ValidationError):
        mitigation_make_current(mitigation=mitigation, user=None, revision=1)
