"""Writes to registers. Pages, the API, imports and commands all go through here."""

import logging
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from mitigations.models import Mitigation
from riskregister.lib.text import normalise_fields
from risks import references
from risks.document import methodology_to_document, parse_document
from risks.models import (
    GlossaryTerm,
    ImpactLevel,
    Lesson,
    LessonSource,
    LikelihoodLevel,
    MatrixCell,
    Methodology,
    MethodologyVersion,
    RatingLevel,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)

logger = logging.getLogger(__name__)


class RegisterExistsError(Exception):
    pass


@transaction.atomic
def register_create_from_document(*, data, user=None) -> Register:
    """Creates a whole register from a register document, or nothing at all.

    Raises `DocumentError` for an invalid document and `RegisterExistsError` when
    a register with the document's reference exists already.
    """
    document = parse_document(data)
    fields = document["register"]
    ref = fields["reference"]
    if Register.objects.filter(reference=ref).exists():
        raise RegisterExistsError(f"register.reference: '{ref}' exists already")

    register = Register(**fields)
    register._history_user = user
    register.save()
    methodology = methodology_create(
        register=register, fields=document["methodology"], user=user
    )
    likelihoods = {level.value: level for level in methodology.likelihood_levels.all()}
    impacts = {level.value: level for level in methodology.impact_levels.all()}

    areas = {}
    for raw in document["areas"]:
        areas[raw["number"]] = RiskArea(
            register=register,
            reference=references.area_reference(ref, raw["number"]),
            **{
                name: raw[name]
                for name in (
                    "number",
                    "name",
                    "group",
                    "statement",
                    "rating_commentary",
                    "settlement_impact",
                    "market_impact",
                )
            },
        )
    bulk_create_with_history(list(areas.values()), RiskArea, default_user=user)
    areas = {area.number: area for area in register.areas.all()}
    RiskArea.see_also.through.objects.bulk_create(
        RiskArea.see_also.through(from_riskarea=areas[number], to_riskarea=areas[other])
        for number, raw in ((a["number"], a) for a in document["areas"])
        for other in raw["see_also"]
    )

    subrisks, factors, mitigations = [], [], []
    for raw in document["areas"]:
        area = areas[raw["number"]]
        for order, item in enumerate(raw["subrisks"], start=1):
            subrisks.append(
                SubRisk(
                    area=area,
                    key=item["key"],
                    reference=references.subrisk_reference(
                        ref, area.number, item["key"]
                    ),
                    order=order,
                    statement=item["statement"],
                    rating_label=item["rating_label"],
                    likelihood=likelihoods[item["likelihood"]],
                    impact=impacts[item["impact"]],
                )
            )
        for order, item in enumerate(raw["risk_factors"], start=1):
            factors.append(
                RiskFactor(
                    area=area,
                    reference=references.factor_reference(
                        ref, area.number, item["key"]
                    ),
                    order=order,
                    **item,
                )
            )
        for order, item in enumerate(raw["mitigations"], start=1):
            item = dict(item)
            item.pop("subrisks")
            mitigations.append(
                Mitigation(
                    area=area,
                    reference=references.mitigation_reference(
                        ref, area.number, item["key"]
                    ),
                    order=order,
                    **item,
                )
            )
    bulk_create_with_history(subrisks, SubRisk, default_user=user)
    bulk_create_with_history(factors, RiskFactor, default_user=user)
    bulk_create_with_history(mitigations, Mitigation, default_user=user)

    subrisk_ids = {
        (number, key): pk
        for number, key, pk in SubRisk.objects.filter(
            area__register=register
        ).values_list("area__number", "key", "pk")
    }
    mitigation_ids = {
        (number, key): pk
        for number, key, pk in Mitigation.objects.filter(
            area__register=register
        ).values_list("area__number", "key", "pk")
    }
    Mitigation.subrisks.through.objects.bulk_create(
        Mitigation.subrisks.through(
            mitigation_id=mitigation_ids[raw["number"], item["key"]],
            subrisk_id=subrisk_ids[raw["number"], key],
        )
        for raw in document["areas"]
        for item in raw["mitigations"]
        for key in item["subrisks"]
    )

    sources = {}
    for order, item in enumerate(document["lesson_sources"], start=1):
        sources[item["key"]] = LessonSource.objects.create(
            register=register, order=order, **item
        )
    lessons = [
        Lesson(
            source=sources[item["source"]],
            reference=references.lesson_reference(ref, item["source"], item["number"]),
            number=item["number"],
            problem=item["problem"],
            lesson=item["lesson"],
        )
        for item in document["lessons"]
    ]
    bulk_create_with_history(lessons, Lesson, default_user=user)
    lesson_ids = {
        (source_key, number): pk
        for source_key, number, pk in Lesson.objects.filter(
            source__register=register
        ).values_list("source__key", "number", "pk")
    }
    Lesson.related_areas.through.objects.bulk_create(
        Lesson.related_areas.through(
            lesson_id=lesson_ids[item["source"], item["number"]],
            riskarea_id=areas[number].pk,
        )
        for item in document["lessons"]
        for number in item["related_areas"]
    )

    bulk_create_with_history(
        [
            GlossaryTerm(
                register=register,
                reference=references.glossary_reference(ref, item["abbreviation"]),
                **item,
            )
            for item in document["glossary"]
        ],
        GlossaryTerm,
        default_user=user,
    )
    logger.info(
        "Created register %s with %d areas and %d sub-risks",
        ref,
        len(areas),
        len(subrisks),
    )
    return register


def methodology_create(*, register, fields, user=None) -> Methodology:
    """Creates a methodology with its scales, rating levels and every matrix cell."""
    methodology = Methodology.objects.create(register=register, name=fields["name"])
    likelihoods = LikelihoodLevel.objects.bulk_create(
        LikelihoodLevel(methodology=methodology, **level)
        for level in fields["likelihood_levels"]
    )
    impacts = ImpactLevel.objects.bulk_create(
        ImpactLevel(methodology=methodology, **level)
        for level in fields["impact_levels"]
    )
    ratings = RatingLevel.objects.bulk_create(
        RatingLevel(methodology=methodology, **level)
        for level in fields["rating_levels"]
    )
    likelihoods = {level.value: level for level in likelihoods}
    impacts = {level.value: level for level in impacts}
    ratings = {level.name: level for level in ratings}
    MatrixCell.objects.bulk_create(
        MatrixCell(
            methodology=methodology,
            likelihood=likelihoods[likelihood],
            impact=impacts[impact],
            rating=ratings[rating],
        )
        for (likelihood, impact), rating in fields["matrix"].items()
    )
    MethodologyVersion.objects.create(
        methodology=methodology,
        version=methodology.version,
        created_by=user,
        reason="Created",
        snapshot=methodology_to_document(methodology),
    )
    return methodology


class StaleRevisionError(Exception):
    """A write was based on an older revision of a record than the stored one."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            f"{current} has been changed by someone else since you opened it "
            f"(it is now at revision {current.revision})."
        )


def checked_for_write(instance, revision):
    """Locks the record's row and returns it, if it is still at `revision`."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if revision is not None and current.revision != revision:
        raise StaleRevisionError(current)
    return current


def _save(instance, user, **save_kwargs):
    instance._history_user = user
    instance.save(**save_kwargs)


def _non_editable(model):
    """Fields that the record sets itself: references, keys and ratings."""
    derived = {"rating", "methodology_version"}
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.editable or field.name in derived
    ]


@transaction.atomic
def record_create(*, model, user, fields, m2m=None):
    """Creates a record after validating it as its forms do; returns it."""
    instance = model(**normalise_fields(fields))
    instance.full_clean(exclude=_non_editable(model))
    _save(instance, user)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    logger.info("%s %s created", model._meta.verbose_name, instance.reference)
    return instance


def _changes(instance, fields, m2m):
    """Whether setting `fields` and `m2m` on the instance would change anything."""
    for name, value in fields.items():
        field = instance._meta.get_field(name)
        if field.many_to_one:
            # Compare keys, without reading the related row.
            name, value = field.attname, getattr(value, "pk", value)
        if getattr(instance, name) != value:
            return True
    return any(
        set(getattr(instance, name).values_list("pk", flat=True))
        != {getattr(value, "pk", value) for value in values}
        for name, values in m2m.items()
    )


@transaction.atomic
def record_update(*, instance, user, revision, fields, m2m=None):
    """Applies changes to a record that is still at `revision`; returns it.

    Raises `StaleRevisionError` when someone else saved the record in between, and
    Django's `ValidationError` when the changed record is invalid. Changes that
    leave every value as it was are not a change: the record keeps its revision
    and its history gains nothing.
    """
    current = checked_for_write(instance, revision)
    fields = normalise_fields(fields)
    if not _changes(current, fields, m2m or {}):
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=_non_editable(type(current)))
    current.revision += 1
    _save(current, user)
    for name, values in (m2m or {}).items():
        getattr(current, name).set(values)
    return current


@transaction.atomic
def record_archive(*, instance, user, revision=None):
    """Hides a record from the register, keeping it for restoring."""
    current = checked_for_write(instance, revision)
    if current.archived_at is None:
        current.archived_at = timezone.now()
        current.revision += 1
        _save(current, user)
        logger.info("%s %s archived", current._meta.verbose_name, current.reference)
    return current


@transaction.atomic
def record_restore(*, instance, user, revision=None):
    """Brings an archived record back into the register.

    Raises `ValidationError` for a record of an archived area: the area comes back
    first, or the record would stay hidden while marked live.
    """
    current = checked_for_write(instance, revision)
    area = getattr(current, "area", None)
    if current.archived_at is not None and area is not None and area.is_archived:
        raise ValidationError(
            {
                "area": f"{current.reference} belongs to risk area {area.number}, "
                "which is archived; restore the area first."
            }
        )
    if current.archived_at is not None:
        current.archived_at = None
        current.revision += 1
        _save(current, user)
        logger.info("%s %s restored", current._meta.verbose_name, current.reference)
    return current


@transaction.atomic
def mitigation_make_current(*, mitigation, user, revision):
    """Turns an implemented proposal into a current mitigation, as the same record."""
    current = checked_for_write(mitigation, revision)
    if current.kind != Mitigation.Kind.PROPOSED or (
        current.status != Mitigation.Status.IMPLEMENTED
    ):
        raise ValidationError(
            {"status": "Only an implemented proposal can become a current mitigation."}
        )
    current.kind = Mitigation.Kind.CURRENT
    current.status = ""
    current.revision += 1
    _save(current, user)
    return current


class StaleRevisionsError(StaleRevisionError):
    """Several records of one save were changed by someone else; `stale` lists them."""

    def __init__(self, stale):
        self.stale = stale
        super().__init__(stale[0])


@dataclass
class RowChange:
    """One row of an area save: a new record, a change to one, or its archiving.

    `instance` is None for a new record. `revision` is the revision the change was
    based on; `fields` and `m2m` hold the new values.
    """

    instance: object = None
    revision: int | None = None
    fields: dict = dataclass_field(default_factory=dict)
    m2m: dict = dataclass_field(default_factory=dict)
    archive: bool = False


@transaction.atomic
def area_save(
    *,
    area,
    user,
    revision,
    fields,
    m2m=None,
    subrisks=(),
    factors=(),
    mitigations=(),
) -> RiskArea:
    """Saves an area with its sub-risks, risk factors and mitigations, or nothing.

    The area is changed only when `fields` or `m2m` hold something. Every changed
    record is first checked against its revision: `StaleRevisionsError` lists all
    that someone else saved in between. Invalid rows raise one `ValidationError`
    whose keys name the row, e.g. `subrisks.0.statement`; nothing is written then.
    """
    groups = [
        ("subrisks", SubRisk, subrisks),
        ("factors", RiskFactor, factors),
        ("mitigations", Mitigation, mitigations),
    ]
    changes_area = bool(fields or m2m)
    for name, _, rows in groups:
        for index, row in enumerate(rows):
            if row.instance is not None and row.instance.area_id != area.pk:
                raise ValidationError(
                    {f"{name}.{index}": "This record belongs to another area."}
                )

    stale = []
    checks = [(area, revision)] if changes_area else []
    checks += [
        (row.instance, row.revision)
        for _, _, rows in groups
        for row in rows
        if row.instance is not None
    ]
    for instance, based_on in checks:
        try:
            checked_for_write(instance, based_on)
        except StaleRevisionError as error:
            stale.append(error.current)
    if stale:
        raise StaleRevisionsError(stale)

    errors = {}
    if changes_area:
        try:
            area = record_update(
                instance=area, user=user, revision=revision, fields=fields, m2m=m2m
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    counts = Counter()
    for name, model, rows in groups:
        for index, row in enumerate(rows):
            try:
                counts[_row_save(model, area, row, user)] += 1
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    errors[f"{name}.{index}.{field_name}"] = messages
    if errors:
        raise ValidationError(errors)

    logger.info(
        "Saved area %s: %d created, %d changed, %d archived",
        area.reference,
        counts["created"],
        counts["changed"],
        counts["archived"],
    )
    return area


def _row_save(model, area, row, user):
    """Writes one row of an area save; returns what it did."""
    if any(subrisk.area_id != area.pk for subrisk in row.m2m.get("subrisks", ())):
        raise ValidationError({"subrisks": "Choose sub-risks of this area only."})
    if row.instance is None:
        record_create(
            model=model, user=user, fields={**row.fields, "area": area}, m2m=row.m2m
        )
        return "created"
    if row.archive:
        record_archive(instance=row.instance, user=user, revision=row.revision)
        return "archived"
    record_update(
        instance=row.instance,
        user=user,
        revision=row.revision,
        fields=row.fields,
        m2m=row.m2m,
    )
    return "changed"


@transaction.atomic
def subrisk_mark_reviewed(*, subrisk, user, revision) -> SubRisk:
    """Records that the workgroup reviewed a sub-risk's rating today."""
    current = checked_for_write(subrisk, revision)
    current.reviewed_on = timezone.localdate()
    current.revision += 1
    current._change_reason = "Marked reviewed"
    _save(current, user)
    logger.info("Sub-risk %s marked reviewed", current.reference)
    return current
