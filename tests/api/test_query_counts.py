"""Every list runs the same number of queries for 2 rows as for 30.

The counts include two queries for the session and its user, and one for the
content version behind the ETag.
"""

import pytest
from rest_framework import status

from mitigations.models import Mitigation
from tests.factories import (
    GlossaryTermFactory,
    LessonFactory,
    LessonSourceFactory,
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db


def full_area(register):
    """An area with a sub-risk, a factor, a mitigation for it and a see-also link."""
    area = RiskAreaFactory(register=register)
    subrisk = SubRiskFactory(area=area)
    RiskFactorFactory(area=area)
    MitigationFactory(area=area).subrisks.set([subrisk])
    neighbour = register.areas.exclude(pk=area.pk).first()
    if neighbour:
        area.see_also.set([neighbour])
    return area


def make_registers(register, count):
    RegisterFactory.create_batch(count)


def make_areas(register, count):
    for _ in range(count):
        full_area(register)


def make_subrisks(register, count):
    SubRiskFactory.create_batch(count, area=RiskAreaFactory(register=register))


def make_factors(register, count):
    RiskFactorFactory.create_batch(count, area=RiskAreaFactory(register=register))


def make_mitigations(register, count):
    area = RiskAreaFactory(register=register)
    subrisk = SubRiskFactory(area=area)
    for _ in range(count):
        MitigationFactory(
            area=area, kind=Mitigation.Kind.PROPOSED, status="agreed"
        ).subrisks.set([subrisk])


def make_lessons(register, count):
    source = LessonSourceFactory(register=register)
    area = RiskAreaFactory(register=register)
    for _ in range(count):
        LessonFactory(source=source).related_areas.set([area])


def make_glossary(register, count):
    GlossaryTermFactory.create_batch(count, register=register)


@pytest.mark.parametrize(
    ("url", "make", "queries"),
    [
        ("/api/v1/registers/", make_registers, 7),
        ("/api/v1/methodologies/", make_registers, 11),
        ("/api/v1/areas/", make_areas, 12),
        ("/api/v1/subrisks/", make_subrisks, 7),
        ("/api/v1/ratings/", make_subrisks, 10),
        ("/api/v1/factors/", make_factors, 7),
        ("/api/v1/mitigations/", make_mitigations, 8),
        ("/api/v1/lessons/", make_lessons, 8),
        ("/api/v1/glossary/", make_glossary, 7),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    viewer_client, register, django_assert_max_num_queries, url, make, queries
):
    make(register, 2)
    with django_assert_max_num_queries(queries) as few:
        response = viewer_client.get(url)
    assert response.status_code == status.HTTP_200_OK

    make(register, 28)
    with django_assert_max_num_queries(queries) as many:
        response = viewer_client.get(url)

    assert response.json()["count"] >= 30
    assert len(few) == len(many) == queries


def test_filtered_subrisk_list_queries_do_not_grow_with_rows(
    viewer_client, register, django_assert_max_num_queries
):
    url = (
        "/api/v1/subrisks/?register=REG-A&area=REG-A/1&group=Retrieval"
        "&likelihood=3&impact=3&rating=medium&min_rating_rank=1&q=risk"
        "&ordering=-rating"
    )
    area = RiskAreaFactory(register=register, number=1, group="Retrieval")
    SubRiskFactory.create_batch(2, area=area)
    # The register, area, group, likelihood, impact and rating are each checked.
    with django_assert_max_num_queries(13) as few:
        viewer_client.get(url)

    SubRiskFactory.create_batch(28, area=area)
    with django_assert_max_num_queries(13) as many:
        response = viewer_client.get(url)

    assert response.json()["count"] == 30
    assert len(few) == len(many) == 13
