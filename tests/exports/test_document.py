import json

import pytest
from django.utils import timezone

from risks.exports.document import register_to_document
from risks.imports.services import import_batch_apply, import_batch_create
from risks.models import Register, SubRisk
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db


def test_json_export_of_2017_register_is_its_fixture(register_2017, register_document):
    for area in register_document["areas"]:
        area["see_also"].sort()

    assert register_to_document(register_2017) == register_document


def test_json_export_leaves_out_archived_records_and_links_to_them():
    register = RegisterFactory(reference="ARC")
    kept = RiskAreaFactory(register=register, number=1)
    gone = RiskAreaFactory(register=register, number=2, archived_at=timezone.now())
    kept.see_also.set([gone])
    live = SubRiskFactory(area=kept, statement="Live")
    archived = SubRiskFactory(
        area=kept, statement="Archived", archived_at=timezone.now()
    )
    MitigationFactory(area=kept, text="Control").subrisks.set([live, archived])

    document = register_to_document(register)

    assert [area["number"] for area in document["areas"]] == [1]
    area = document["areas"][0]
    assert area["see_also"] == []
    assert [s["statement"] for s in area["subrisks"]] == ["Live"]
    assert area["mitigations"][0]["subrisks"] == [live.key]


def test_json_export_reads_in_a_fixed_number_of_queries(
    register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        register_to_document(register_2017)


def test_json_round_trip_through_an_empty_database_gives_identical_content(
    register_2017, editor
):
    first = register_to_document(register_2017)
    content = json.dumps(first).encode()
    Register.objects.all().delete()

    batch = import_batch_create(user=editor, filename="srr.json", content=content)
    register = import_batch_apply(batch=batch, user=editor)

    assert register_to_document(register) == first
    subrisk = SubRisk.objects.get(reference="SRR-2017/8.a")
    assert subrisk.rating.name == "High"
    assert subrisk.history.first().history_user == editor
