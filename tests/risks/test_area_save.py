import pytest
from django.core.exceptions import ValidationError

from mitigations.models import Mitigation
from risks.models import RiskArea, RiskFactor, SubRisk
from risks.services import (
    RowChange,
    StaleRevisionError,
    StaleRevisionsError,
    area_save,
    record_update,
)
from tests.factories import (
    MitigationFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    area = RiskAreaFactory(name="Installation", statement="Old statement.")
    SubRiskFactory(area=area, statement="Visits are aborted.", order=1)
    RiskFactorFactory(area=area, text="Installers are scarce.", order=1)
    MitigationFactory(area=area, text="Training.", order=1)
    return area


def levels(area, likelihood, impact):
    methodology = area.register.methodology
    return {
        "likelihood": methodology.likelihood_levels.get(value=likelihood),
        "impact": methodology.impact_levels.get(value=impact),
    }


def test_area_save_writes_area_and_every_row_with_the_user(area):
    editor = UserFactory(username="alice")
    subrisk = area.subrisks.get()
    factor = area.risk_factors.get()
    mitigation = area.mitigations.get()

    area_save(
        area=area,
        user=editor,
        revision=1,
        fields={"statement": "New statement."},
        subrisks=[
            RowChange(instance=subrisk, revision=1, fields=levels(area, 5, 4)),
            RowChange(
                fields={"statement": "Errors at install.", "order": 2}
                | levels(area, 2, 4)
            ),
        ],
        factors=[RowChange(instance=factor, revision=1, archive=True)],
        mitigations=[
            RowChange(
                instance=mitigation,
                revision=1,
                fields={"order": 3},
                m2m={"subrisks": [subrisk]},
            )
        ],
    )

    area.refresh_from_db()
    assert (area.statement, area.revision) == ("New statement.", 2)
    assert [
        (s.key, s.statement, s.rating.name, s.revision)
        for s in SubRisk.objects.filter(area=area).order_by("key")
    ] == [
        ("a", "Visits are aborted.", "Very High", 2),
        ("b", "Errors at install.", "Medium", 1),
    ]
    factor.refresh_from_db()
    assert factor.is_archived
    mitigation.refresh_from_db()
    assert (mitigation.order, list(mitigation.subrisks.all())) == (3, [subrisk])
    users = {
        record.history_user
        for model in (RiskArea, SubRisk, RiskFactor, Mitigation)
        for record in model.history.filter(history_type__in=["~", "+"]).exclude(
            history_user=None
        )
    }
    assert users == {editor}


def test_a_bad_subrisk_rolls_back_the_whole_area_save(area):
    subrisk = area.subrisks.get()
    factor = area.risk_factors.get()

    with pytest.raises(ValidationError) as raised:
        area_save(
            area=area,
            user=None,
            revision=1,
            fields={"statement": "New statement."},
            factors=[RowChange(instance=factor, revision=1, fields={"text": "New"})],
            subrisks=[
                RowChange(instance=subrisk, revision=1, fields=levels(area, 5, 5)),
                RowChange(fields={"statement": ""} | levels(area, 1, 1)),
            ],
        )

    assert raised.value.message_dict == {
        "subrisks.1.statement": ["This field cannot be blank."]
    }
    area.refresh_from_db()
    subrisk.refresh_from_db()
    factor.refresh_from_db()
    assert (area.statement, area.revision) == ("Old statement.", 1)
    assert (subrisk.rating.name, subrisk.revision) == ("Medium", 1)
    assert (factor.text, factor.revision) == ("Installers are scarce.", 1)
    assert SubRisk.objects.filter(area=area).count() == 1
    assert area.history.count() == 1


def test_area_save_names_every_stale_record_and_writes_nothing(area):
    subrisk = area.subrisks.get()
    factor = area.risk_factors.get()
    record_update(instance=subrisk, user=None, revision=1, fields={"order": 5})
    record_update(instance=factor, user=None, revision=1, fields={"order": 5})

    with pytest.raises(StaleRevisionsError) as raised:
        area_save(
            area=area,
            user=None,
            revision=1,
            fields={"name": "Renamed"},
            subrisks=[RowChange(instance=subrisk, revision=1, fields={"order": 9})],
            factors=[RowChange(instance=factor, revision=1, fields={"order": 9})],
        )

    assert [(type(r).__name__, r.revision) for r in raised.value.stale] == [
        ("SubRisk", 2),
        ("RiskFactor", 2),
    ]
    assert isinstance(raised.value, StaleRevisionError)
    area.refresh_from_db()
    assert (area.name, area.revision) == ("Installation", 1)


def test_area_save_leaves_the_area_alone_when_only_rows_change(area):
    record_update(instance=area, user=None, revision=1, fields={"name": "Theirs"})
    factor = area.risk_factors.get()

    area_save(
        area=area,
        user=None,
        revision=1,
        fields={},
        factors=[RowChange(instance=factor, revision=1, fields={"text": "Mine"})],
    )

    area.refresh_from_db()
    factor.refresh_from_db()
    assert (area.name, area.revision, factor.text) == ("Theirs", 2, "Mine")


def test_area_save_refuses_a_row_of_another_area(area):
    stranger = SubRiskFactory()

    with pytest.raises(ValidationError) as raised:
        area_save(
            area=area,
            user=None,
            revision=1,
            fields={},
            subrisks=[RowChange(instance=stranger, revision=1, fields={"order": 2})],
        )

    assert raised.value.message_dict == {
        "subrisks.0": ["This record belongs to another area."]
    }


def test_area_save_refuses_a_mitigation_for_another_areas_subrisk(area):
    stranger = SubRiskFactory()
    mitigation = area.mitigations.get()

    with pytest.raises(ValidationError) as raised:
        area_save(
            area=area,
            user=None,
            revision=1,
            fields={},
            mitigations=[
                RowChange(instance=mitigation, revision=1, m2m={"subrisks": [stranger]})
            ],
        )

    assert raised.value.message_dict == {
        "mitigations.0.subrisks": ["Choose sub-risks of this area only."]
    }
    assert list(mitigation.subrisks.all()) == []


def test_area_save_validates_a_proposal_status_through_the_model(area):
    with pytest.raises(ValidationError) as raised:
        area_save(
            area=area,
            user=None,
            revision=1,
            fields={},
            mitigations=[
                RowChange(fields={"kind": "proposed", "text": "Audit.", "status": ""})
            ],
        )

    assert raised.value.message_dict == {
        "mitigations.0.status": ["Give the proposal's status."]
    }
