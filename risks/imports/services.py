"""The two steps of an import: the dry run, kept as an ImportBatch, and the apply.

Applying reads the stored file again and plans it against the register as it is
now. If that plan differs from the preview the user confirmed (someone changed
the register in between), nothing is written and the new preview replaces the
old one, to be confirmed afresh.
"""

import logging
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from risks.models import ImportBatch, LessonSource, Register, SubRisk
from risks.services import (
    record_archive,
    record_create,
    record_restore,
    record_update,
    register_create_from_document,
)

from .files import JSON, ImportFileError, check_size, read_json, sniff_format
from .plan import ARCHIVE, CREATE, RESTORE, UPDATE, make_plan
from .workbook import read_workbook

logger = logging.getLogger(__name__)


class ImportOutdatedError(Exception):
    """The register changed since the dry run; `preview` is the new one."""

    def __init__(self, preview):
        self.preview = preview
        super().__init__(
            "The register has changed since this file was checked; review the new "
            "preview and confirm again."
        )


class ImportAppliedError(Exception):
    """The batch was applied already."""


def plan_file(content, *, register=None):
    """Reads a file's bytes and plans importing it; returns (format, plan)."""
    check_size(len(content))
    file_format = sniff_format(content)
    if file_format == JSON:
        return file_format, make_plan(read_json(content), register=register)
    read = read_workbook(content, register=register)
    return file_format, make_plan(
        read.document,
        register=register,
        locate=read.locate,
        problems=read.problems,
        warnings=read.warnings,
        stated_ratings=read.stated_ratings,
    )


def import_batch_create(*, user, filename, content, register=None) -> ImportBatch:
    """Checks a file in a dry run and keeps it with its preview; writes nothing else.

    Raises `ImportFileError` listing every problem; then nothing is kept at all.
    """
    file_format, plan = plan_file(content, register=register)
    # Limitation: checked files stay in ImportBatch until an admin deletes them,
    # because no clean-up job exists yet; each is at most MAX_BYTES.
    batch = ImportBatch.objects.create(
        created_by=user,
        filename=filename[:255],
        file_format=file_format,
        content=content,
        register=register,
        preview=plan.preview,
    )
    logger.info(
        "Import %d checked for %s: %s",
        batch.pk,
        plan.preview["register"],
        ", ".join(f"{n} {action}" for action, n in plan.preview["counts"].items()),
    )
    return batch


def import_batch_apply(*, batch, user) -> Register:
    """Applies a checked import in one transaction, with `user` in the history.

    Raises `ImportOutdatedError` when the register changed since the dry run,
    `ImportAppliedError` when the batch was applied already, `ImportFileError`
    when the file no longer fits the register, and `StaleRevisionError` when a
    record changes while the import runs.
    """
    try:
        with transaction.atomic():
            return _apply(batch, user)
    except ImportOutdatedError as error:
        ImportBatch.objects.filter(pk=batch.pk).update(preview=error.preview)
        batch.preview = error.preview
        raise
    except IntegrityError as error:
        logger.warning(
            "Import %d refused by a database constraint: %s", batch.pk, error
        )
        raise ImportFileError(
            [
                "The import conflicts with the register as it is now and was not "
                "applied; check the file again."
            ]
        ) from None


def _apply(batch, user):
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.applied_at is not None:
        raise ImportAppliedError("This import was applied already.")
    register = None
    if locked.register_id is not None:
        register = Register.objects.select_for_update().get(pk=locked.register_id)
    _, plan = plan_file(bytes(locked.content), register=register)
    if plan.preview != locked.preview:
        raise ImportOutdatedError(plan.preview)

    if register is None:
        register = register_create_from_document(data=plan.document, user=user)
    else:
        _Writer(register, user).run(plan.operations)
    locked.applied_at = timezone.now()
    locked.register = register
    locked.save(update_fields=["applied_at", "register"])
    batch.applied_at, batch.register = locked.applied_at, register
    counts = plan.preview["counts"]
    logger.info(
        "Import %d applied to %s: %d created, %d changed, %d restored, %d archived",
        locked.pk,
        register.reference,
        counts[CREATE],
        counts[UPDATE],
        counts[RESTORE],
        counts[ARCHIVE],
    )
    return register


class _Writer:
    """Runs a plan's operations through the write services, parents first."""

    def __init__(self, register, user):
        self.register = register
        self.user = user

    def run(self, operations):
        by_kind = defaultdict(list)
        for operation in operations:
            by_kind[operation.kind].append(operation)
        for operation in by_kind["register"]:
            self.write(operation)
        areas = {area.number: area for area in self.register.areas.all()}
        for operation in by_kind["area"]:
            if operation.action != ARCHIVE:
                area = self.write(operation, register=self.register)
                areas[area.number] = area
        for operation in by_kind["area"]:
            if operation.action != ARCHIVE:
                self.set_m2m(
                    areas[operation.key[0]],
                    "see_also",
                    [areas[number] for number in operation.m2m["see_also"]],
                )
        for kind in ("sub-risk", "risk factor"):
            for operation in by_kind[kind]:
                if operation.action != ARCHIVE:
                    self.write(operation, area=areas[operation.key[0]])
        subrisks = {
            (number, key): pk
            for number, key, pk in SubRisk.objects.for_register(
                self.register
            ).values_list("area__number", "key", "pk")
        }
        for operation in by_kind["mitigation"]:
            if operation.action != ARCHIVE:
                mitigation = self.write(operation, area=areas[operation.key[0]])
                self.set_m2m(
                    mitigation,
                    "subrisks",
                    [
                        subrisks[operation.key[0], key]
                        for key in operation.m2m["subrisks"]
                    ],
                )
        sources = {
            source.key: source
            for source in LessonSource.objects.filter(register=self.register)
        }
        for operation in by_kind["lesson source"]:
            sources[operation.key[0]] = self.write_source(operation)
        for operation in by_kind["lesson"]:
            if operation.action != ARCHIVE:
                lesson = self.write(operation, source=sources[operation.key[0]])
                self.set_m2m(
                    lesson,
                    "related_areas",
                    [areas[number] for number in operation.m2m["related_areas"]],
                )
        for operation in by_kind["glossary term"]:
            self.write(operation, register=self.register)
        for kind in ("mitigation", "risk factor", "sub-risk", "lesson", "area"):
            for operation in by_kind[kind]:
                if operation.action == ARCHIVE:
                    self.write(operation)

    def write(self, operation, **parents):
        """Creates, updates, restores or archives one record; returns it."""
        try:
            if operation.action == CREATE:
                return record_create(
                    model=operation.model,
                    user=self.user,
                    fields={**parents, **operation.fields},
                )
            instance = operation.instance
            if operation.action == ARCHIVE:
                return record_archive(
                    instance=instance, user=self.user, revision=instance.revision
                )
            updated = record_update(
                instance=instance,
                user=self.user,
                revision=instance.revision,
                fields=operation.fields,
            )
            if operation.action == RESTORE:
                updated = record_restore(
                    instance=updated, user=self.user, revision=updated.revision
                )
            return updated
        except ValidationError as error:
            raise ImportFileError(
                [
                    f"{operation.kind.capitalize()} {_reference(operation)}: "
                    f"{'; '.join(error.messages)}"
                ]
            ) from None

    def write_source(self, operation):
        """Lesson sources have no revision or archive: saved directly, with history."""
        if operation.instance is None:
            source = LessonSource(register=self.register, **operation.fields)
        else:
            source = operation.instance
            for name, value in operation.fields.items():
                setattr(source, name, value)
        source._history_user = self.user
        source.full_clean()
        source.save()
        return source

    def set_m2m(self, instance, name, values):
        related = getattr(instance, name)
        wanted = {getattr(value, "pk", value) for value in values}
        if set(related.values_list("pk", flat=True)) != wanted:
            instance._history_user = self.user
            related.set(wanted)


def _reference(operation):
    if operation.instance is not None:
        return getattr(operation.instance, "reference", "")
    return ".".join(str(part) for part in operation.key)
