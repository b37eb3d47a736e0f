"""Reads of a register's history: who changed what and when, and what is archived.

django-simple-history keeps a row for every create, change, archive, restore and
delete of areas, sub-risks, risk factors, mitigations and lessons. A `ChangeFeed`
pages through those rows newest first in a fixed number of queries, whatever the
page size: one UNION query picks the page, one query per history table reads the
page's rows together with the row before each, and `diff_against` compares each
pair in memory. Ratings are read from the rows, never derived.
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from simple_history.utils import get_m2m_reverse_field_name

from mitigations.models import Mitigation
from risks.models import (
    ImpactLevel,
    Lesson,
    LessonSource,
    LikelihoodLevel,
    MethodologyVersion,
    RatingLevel,
    RiskArea,
    RiskFactor,
    SubRisk,
)

# Methodology changes rename rating levels to this while they reorder them.
_PLACEHOLDER = re.compile(r"^~\d+~$")

# Bookkeeping fields every save changes; a diff of them says nothing to a reader.
_BOOKKEEPING = {"revision", "methodology_version"}

_FIELD_LABELS = {
    "impact": "settlement impact",
    "statement": "description",
    "subrisks": "sub-risks",
    "related_areas": "related areas",
    "see_also": "see also",
    "none_proposed": "none proposed",
    "problem": "problem and solution",
}

ACTION_LABELS = {
    "created": "Created",
    "changed": "Changed",
    "archived": "Archived",
    "restored": "Restored",
    "deleted": "Deleted",
}


@dataclass(frozen=True)
class Kind:
    """A kind of record whose history the register shows."""

    name: str
    label: str
    model: type[models.Model]

    @property
    def history_model(self):
        return self.model.history.model

    @property
    def m2m_fields(self):
        return list(self.model._meta.many_to_many)


KINDS = {
    kind.name: kind
    for kind in (
        Kind("area", "Risk area", RiskArea),
        Kind("subrisk", "Sub-risk", SubRisk),
        Kind("factor", "Risk factor", RiskFactor),
        Kind("mitigation", "Mitigation", Mitigation),
        Kind("lesson", "Lesson", Lesson),
    )
}


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a change, as text for a reader."""

    name: str
    label: str
    old: str
    new: str
    long: bool = False
    old_rating: RatingLevel | None = None
    new_rating: RatingLevel | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_rating(self):
        return self.name == "rating"

    @property
    def is_collection(self):
        return bool(self.added or self.removed)

    @property
    def direction(self):
        """'raised' or 'lowered' for a rating change between known levels."""
        if not (self.old_rating and self.new_rating):
            return ""
        if self.new_rating.rank > self.old_rating.rank:
            return "raised"
        return "lowered" if self.new_rating.rank < self.old_rating.rank else ""


@dataclass(frozen=True)
class Change:
    """One entry of a history: a record created, changed, archived or restored."""

    kind: str
    kind_label: str
    label: str
    title: str
    reference: str
    url: str
    action: str
    user: str
    date: datetime.datetime
    reason: str
    changes: tuple[FieldChange, ...]
    rating: RatingLevel | None
    history_id: int
    earlier_unknown: bool = False

    @property
    def action_label(self):
        return ACTION_LABELS[self.action]

    @property
    def rating_change(self):
        return next((change for change in self.changes if change.is_rating), None)

    @property
    def other_changes(self):
        return [change for change in self.changes if not change.is_rating]


@dataclass(frozen=True)
class ArchivedRecord:
    kind: str
    label: str
    title: str
    reference: str
    archived_at: datetime.datetime
    archived_by: str
    revision: int
    restore_url: str
    history_url: str
    blocked_by_area: int | None = None


@dataclass(frozen=True)
class ArchivedGroup:
    kind: str
    label: str
    records: list[ArchivedRecord] = field(default_factory=list)


class _Labels:
    """Names for the ids a history row holds, each set read once when first needed."""

    def __init__(self, register):
        self.register = register

    @cached_property
    def _likelihoods(self):
        return self._live_labels(LikelihoodLevel)

    @cached_property
    def _impacts(self):
        return self._live_labels(ImpactLevel)

    @cached_property
    def _ratings(self):
        return {
            level.pk: level
            for level in RatingLevel.objects.filter(methodology__register=self.register)
        }

    @cached_property
    def _removed_likelihoods(self):
        return self._removed_labels(LikelihoodLevel, "likelihood_levels")

    @cached_property
    def _removed_impacts(self):
        return self._removed_labels(ImpactLevel, "impact_levels")

    @cached_property
    def _removed_rating_levels(self):
        return self._removed_ratings()

    def likelihood(self, pk):
        if pk in self._likelihoods:
            return self._likelihoods[pk]
        return self._removed_likelihoods.get(pk, _unknown(pk))

    def impact(self, pk):
        if pk in self._impacts:
            return self._impacts[pk]
        return self._removed_impacts.get(pk, _unknown(pk))

    def rating(self, pk):
        """A rating level, live or removed by a methodology change; None if unknown."""
        if pk is None or pk in self._ratings:
            return self._ratings.get(pk)
        return self._removed_rating_levels.get(pk)

    def _live_labels(self, model):
        return dict(
            model.objects.filter(methodology__register=self.register).values_list(
                "pk", "label"
            )
        )

    def _removed_labels(self, model, snapshot_key):
        live = self._likelihoods if model is LikelihoodLevel else self._impacts
        labels = {}
        for pk, row in self._removed(model, live, "label").items():
            labels[pk] = row.label
            if _PLACEHOLDER.match(row.label):
                saved = self._saved_level(snapshot_key, "value", row)
                labels[pk] = saved["label"] if saved else f"removed level {row.value}"
        return labels

    def _removed_ratings(self):
        levels = {}
        for pk, row in self._removed(RatingLevel, self._ratings, "name").items():
            name, colour = row.name, row.colour
            if _PLACEHOLDER.match(name):
                saved = self._saved_level("rating_levels", "rank", row) or {
                    "name": f"removed rating (rank {row.rank})",
                    "colour": colour,
                }
                name, colour = saved["name"], saved["colour"]
            levels[pk] = RatingLevel(pk=pk, rank=row.rank, name=name, colour=colour)
        return levels

    def _removed(self, model, live, name):
        """Removed levels' last history rows by id, preferring rows with real names.

        Methodology changes give levels placeholder names while they reorder
        them, and a level removed then is deleted under its placeholder.
        """
        rows = (
            model.history.filter(methodology__register=self.register)
            .exclude(id__in=list(live))
            .order_by("history_id")
        )
        removed = {}
        for row in rows:
            if row.id not in removed or not _PLACEHOLDER.match(getattr(row, name)):
                removed[row.id] = row
        return removed

    def _saved_level(self, snapshot_key, key, row):
        """A removed level as the last saved methodology version before it held it."""
        versions = MethodologyVersion.objects.filter(
            methodology__register=self.register, created_at__lt=row.history_date
        ).order_by("-version")
        for snapshot in versions.values_list("snapshot", flat=True):
            for level in snapshot.get(snapshot_key, []):
                if level.get(key) == getattr(row, key):
                    return level
        return None

    @cached_property
    def areas(self):
        """Area numbers by id, from the history so that deleted areas keep theirs."""
        return dict(
            RiskArea.history.filter(register=self.register)
            .order_by("history_id")
            .values_list("id", "number")
        )

    @cached_property
    def sources(self):
        return dict(
            LessonSource.history.filter(register=self.register)
            .order_by("history_id")
            .values_list("id", "name")
        )

    @cached_property
    def subrisks(self):
        return {
            pk: f"{number}.{key}"
            for pk, number, key in SubRisk.objects.filter(
                area__register=self.register
            ).values_list("pk", "area__number", "key")
        }

    def area(self, pk):
        number = self.areas.get(pk)
        return f"Risk area {number}" if number is not None else _unknown(pk)


def _unknown(pk):
    return f"record {pk} (deleted)"


def _plain(field, value):
    """A stored value as text; empty values become the empty string."""
    if value is None or value == "" or value == []:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.DateField) and isinstance(value, datetime.date):
        return dateformat.format(value, "j F Y")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class ChangeFeed:
    """History rows of some records, newest first; slicing returns `Change`s.

    `sources` maps a kind name to a queryset of its history model, already narrowed
    to the records and rows wanted. Django's `Paginator` pages a feed directly.
    """

    def __init__(self, register, sources):
        self.register = register
        self.sources = sources
        self.labels = _Labels(register)

    def _keys(self):
        parts = [
            _saves(KINDS[name], queryset)
            .order_by()
            .annotate(
                feed_date=F("history_date"),
                feed_id=F("history_id"),
                feed_kind=Value(name, output_field=CharField()),
            )
            .values_list("feed_date", "feed_id", "feed_kind")
            for name, queryset in self.sources.items()
        ]
        first, *rest = parts
        return first.union(*rest, all=True) if rest else first

    def count(self):
        return self._keys().count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("A change feed can only be sliced.")
        keys = list(self._keys().order_by("-feed_date", "-feed_id", "feed_kind")[key])
        wanted = {}
        for _, history_id, kind in keys:
            wanted.setdefault(kind, []).append(history_id)
        entries = {}
        for kind, ids in wanted.items():
            for change in self._changes(KINDS[kind], set(ids)):
                entries[kind, change.history_id] = change
        return [entries[kind, history_id] for _, history_id, kind in keys]

    def _changes(self, kind, ids):
        """The entries of some saves of one kind, in one query (two with members).

        Reads each save's first row, the row before it and, for kinds with
        members, the rows the same save added when it set them.
        """
        history = kind.history_model
        row_before = (
            history.objects.filter(
                id=OuterRef("id"), history_id__lt=OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        earlier = (
            history.objects.filter(history_id__in=ids)
            .annotate(previous=Subquery(row_before))
            .values("previous")
        )
        wanted = Q(history_id__in=ids) | Q(history_id__in=earlier)
        if kind.m2m_fields:
            wanted |= Exists(
                history.objects.filter(
                    history_id__in=ids,
                    id=OuterRef("id"),
                    revision=OuterRef("revision"),
                )
            )
        rows = list(
            history.objects.filter(wanted)
            .select_related("history_user")
            .order_by("history_id")
        )

        previous, last_seen, open_saves, last_rows = {}, {}, {}, {}
        for row in rows:
            previous[row.history_id] = last_seen.get(row.id)
            last_seen[row.id] = row
            save = (row.id, row.revision, row.history_user_id)
            if row.history_id in ids or not _continues_save(row):
                open_saves[save] = row
                last_rows[row.history_id] = row
            elif save in open_saves:
                last_rows[open_saves[save].history_id] = row
        members = self._memberships(kind, rows)
        return [
            self._change(
                kind,
                first,
                previous[first.history_id],
                last_rows[first.history_id],
                members,
            )
            for first in rows
            if first.history_id in ids
        ]

    def _memberships(self, kind, rows):
        """Many-to-many members per history row, for kinds that have them."""
        members = {}
        if not kind.m2m_fields:
            return members
        history_ids = [row.history_id for row in rows]
        for m2m in kind.m2m_fields:
            through = getattr(kind.history_model, m2m.name).model
            target = f"{get_m2m_reverse_field_name(m2m)}_id"
            pairs = through.objects.filter(history_id__in=history_ids).values_list(
                "history_id", target
            )
            for history_id, target_id in pairs:
                members.setdefault((m2m.name, history_id), set()).add(target_id)
        return members

    def _change(self, kind, first, before, last, members):
        action = {"+": "created", "-": "deleted"}.get(first.history_type, "changed")
        changes = []
        if action == "changed" and before is not None:
            if before.archived_at is None and first.archived_at is not None:
                action = "archived"
            elif before.archived_at is not None and first.archived_at is None:
                action = "restored"
            changes = self._field_changes(kind, first, before)
        if kind.m2m_fields and action != "deleted":
            # A save records the members it found before setting new ones, so the
            # save's own first row is the baseline; a row that only changed
            # members compares with the row before it.
            # Limitation: a row that changes only members without a save (possible
            # outside the services, e.g. in the admin) right after a bulk import's
            # row shows every member as added, because imports record no members.
            baseline = first
            if (
                before is not None
                and first.history_type == "~"
                and first.revision == before.revision
            ):
                baseline = before
            changes += self._member_changes(kind, baseline, last, members)
        return Change(
            kind=kind.name,
            kind_label=kind.label,
            label=self._label(kind, first),
            title=_title(kind, last),
            reference=first.reference,
            url=self._url(kind, first),
            action=action,
            user=first.history_user.get_username() if first.history_user else "",
            date=first.history_date,
            reason=first.history_change_reason or "",
            changes=tuple(changes),
            rating=(
                self.labels.rating(first.rating_id) if kind.name == "subrisk" else None
            ),
            history_id=first.history_id,
            earlier_unknown=action == "changed" and before is None,
        )

    def _field_changes(self, kind, row, before):
        excluded = _BOOKKEEPING | {m2m.name for m2m in kind.m2m_fields}
        delta = row.diff_against(before, excluded_fields=excluded)
        order = [f.name for f in kind.model._meta.concrete_fields]
        changes = []
        for item in sorted(delta.changes, key=lambda c: order.index(c.field)):
            model_field = kind.model._meta.get_field(item.field)
            changes.append(self._field_change(model_field, item.old, item.new))
        return changes

    def _field_change(self, model_field, old, new):
        name = model_field.name
        label = _FIELD_LABELS.get(name, str(model_field.verbose_name))
        if name == "rating":
            old_rating = self.labels.rating(old)
            new_rating = self.labels.rating(new)
            return FieldChange(
                name,
                label,
                old_rating.name if old_rating else _unknown(old),
                new_rating.name if new_rating else _unknown(new),
                old_rating=old_rating,
                new_rating=new_rating,
            )
        if isinstance(model_field, models.ForeignKey):
            return FieldChange(
                name, label, self._related(name, old), self._related(name, new)
            )
        return FieldChange(
            name,
            label,
            _plain(model_field, old),
            _plain(model_field, new),
            long=isinstance(model_field, models.TextField),
        )

    def _related(self, name, pk):
        if pk is None:
            return ""
        if name == "likelihood":
            return self.labels.likelihood(pk)
        if name == "impact":
            return self.labels.impact(pk)
        if name == "area":
            return self.labels.area(pk)
        if name == "source":
            return self.labels.sources.get(pk, _unknown(pk))
        return str(pk)

    def _member_changes(self, kind, baseline, last, members):
        changes = []
        for m2m in kind.m2m_fields:
            old = members.get((m2m.name, baseline.history_id), set())
            new = members.get((m2m.name, last.history_id), set())
            if old == new:
                continue
            name = self._member_name(m2m)
            changes.append(
                FieldChange(
                    m2m.name,
                    _FIELD_LABELS.get(m2m.name, str(m2m.verbose_name)),
                    ", ".join(sorted(map(name, old))),
                    ", ".join(sorted(map(name, new))),
                    added=tuple(sorted(map(name, new - old))),
                    removed=tuple(sorted(map(name, old - new))),
                )
            )
        return changes

    def _member_name(self, m2m):
        if m2m.related_model is SubRisk:
            return lambda pk: f"Sub-risk {self.labels.subrisks.get(pk, pk)}"
        return self.labels.area

    def _label(self, kind, row):
        local = row.reference.removeprefix(f"{self.register.reference}/")
        if kind.name == "lesson":
            local = local.removeprefix("L/")
        return f"{kind.label} {local}"

    def _url(self, kind, row):
        # Limitation: a record deleted in the admin still links to its history
        # page, which answers 404, because telling deleted records apart would
        # cost a query per kind on every page.
        ref = self.register.reference
        if kind.name == "lesson":
            local = row.reference.removeprefix(f"{ref}/L/")
            return f"{reverse('risks:lesson-list', args=[ref])}#lesson-{local}"
        number = (
            row.number if kind.name == "area" else self.labels.areas.get(row.area_id)
        )
        if number is None:
            return ""
        if kind.name == "subrisk":
            return reverse("risks:subrisk-history", args=[ref, number, row.key])
        return reverse("risks:area-history", args=[ref, number])


def _continues_save(row):
    """Whether a row only records the members its save set (see `_saves`)."""
    return row.history_type == "~" and row.history_user_id is not None


def _saves(kind, queryset):
    """Narrows history rows to the first row of each save.

    A save writes one row, then one more each time it sets many-to-many
    members; those rows keep the save's revision and user. Only kinds with
    members have such rows.
    """
    if not kind.m2m_fields:
        return queryset
    same_save = kind.history_model.objects.filter(
        id=OuterRef("id"),
        revision=OuterRef("revision"),
        history_user=OuterRef("history_user"),
        history_id__lt=OuterRef("history_id"),
    )
    return queryset.filter(~Q(history_type="~") | ~Exists(same_save))


def _title(kind, row):
    if kind.name == "area":
        text = row.name
    elif kind.name == "subrisk":
        text = row.rating_label or row.statement
    elif kind.name == "lesson":
        text = row.lesson
    else:
        text = row.text
    return Truncator(" ".join(text.split())).chars(90)


def _register_sources(register):
    """Each kind's history rows within the register, deleted records included."""
    area_ids = RiskArea.history.filter(register=register).values("id")
    source_ids = LessonSource.history.filter(register=register).values("id")
    return {
        "area": RiskArea.history.filter(register=register),
        "subrisk": SubRisk.history.filter(area_id__in=area_ids),
        "factor": RiskFactor.history.filter(area_id__in=area_ids),
        "mitigation": Mitigation.history.filter(area_id__in=area_ids),
        "lesson": Lesson.history.filter(source_id__in=source_ids),
    }


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def change_list(*, register, user=None, area=None, since=None, until=None):
    """The register's changes across all kinds, newest first, narrowed as given.

    `area` keeps the area's own rows, its sub-risks', factors' and mitigations',
    and those of lessons now related to it; `since` and `until` are dates, both
    included, in the site's time zone.
    """
    sources = _register_sources(register)
    if area is not None:
        related = Lesson.related_areas.through.objects.filter(riskarea=area)
        sources["area"] = sources["area"].filter(id=area.pk)
        for name in ("subrisk", "factor", "mitigation"):
            sources[name] = sources[name].filter(area_id=area.pk)
        sources["lesson"] = sources["lesson"].filter(id__in=related.values("lesson_id"))
    narrowing = Q()
    if user is not None:
        narrowing &= Q(history_user=user)
    if since is not None:
        narrowing &= Q(history_date__gte=_local_midnight(since))
    if until is not None:
        narrowing &= Q(
            history_date__lt=_local_midnight(until + datetime.timedelta(days=1))
        )
    return ChangeFeed(
        register,
        {name: queryset.filter(narrowing) for name, queryset in sources.items()},
    )


def change_authors(*, register):
    """The users who have changed anything in the register, by user name."""
    users = Q()
    for queryset in _register_sources(register).values():
        users |= Q(pk__in=queryset.values("history_user"))
    return get_user_model().objects.filter(users).order_by("username")


def area_history(*, area):
    """An area's own changes and those of its sub-risks, factors and mitigations."""
    return ChangeFeed(
        area.register,
        {
            "area": RiskArea.history.filter(id=area.pk),
            "subrisk": SubRisk.history.filter(area_id=area.pk),
            "factor": RiskFactor.history.filter(area_id=area.pk),
            "mitigation": Mitigation.history.filter(area_id=area.pk),
        },
    )


def subrisk_history(*, subrisk):
    """A sub-risk's changes, its rating changes among them."""
    return ChangeFeed(
        subrisk.area.register, {"subrisk": SubRisk.history.filter(id=subrisk.pk)}
    )


def _archivers(kind, records):
    """Who archived each record and when: the first row holding its archive time."""
    archived_at = {record.pk: record.archived_at for record in records}
    rows = (
        kind.history_model.objects.filter(
            id__in=list(archived_at), archived_at__isnull=False
        )
        .order_by("history_id")
        .values_list("id", "archived_at", "history_user__username")
    )
    archivers = {}
    for pk, when, username in rows:
        if when == archived_at[pk]:
            archivers.setdefault(pk, username or "")
    return archivers


def archived_list(*, register):
    """The register's archived records by kind, most recently archived first."""
    ref = register.reference
    archived = Q(archived_at__isnull=False)
    querysets = {
        "area": RiskArea.objects.filter(archived, register=register),
        "subrisk": SubRisk.objects.filter(archived, area__register=register),
        "factor": RiskFactor.objects.filter(archived, area__register=register),
        "mitigation": Mitigation.objects.filter(archived, area__register=register),
        "lesson": Lesson.objects.filter(archived, source__register=register),
    }
    groups = []
    for name, queryset in querysets.items():
        kind = KINDS[name]
        if name == "lesson":
            queryset = queryset.select_related("source")
        elif name != "area":
            queryset = queryset.select_related("area")
        records = list(queryset.order_by("-archived_at", "pk"))
        archivers = _archivers(kind, records) if records else {}
        groups.append(
            ArchivedGroup(
                kind=name,
                label=kind.label,
                records=[
                    _archived_record(kind, ref, record, archivers) for record in records
                ],
            )
        )
    return groups


def record_label(kind_name, record):
    """A record's name for people, e.g. "Sub-risk 2.b" or "Lesson AM-1"."""
    kind = KINDS[kind_name]
    if kind_name == "area":
        local = str(record.number)
    elif kind_name == "lesson":
        local = f"{record.source.key}-{record.number}"
    elif kind_name == "subrisk":
        local = f"{record.area.number}.{record.key}"
    else:
        local = f"{record.area.number}/{record.key}"
    return f"{kind.label} {local}"


def _archived_record(kind, ref, record, archivers):
    area = None
    if kind.name == "area":
        args, title = [ref, record.number], record.name
        history_url = reverse("risks:area-history", args=args)
    elif kind.name == "lesson":
        args, title = [ref, record.source.key, record.number], record.lesson
        history_url = ""
    else:
        area = record.area
        args = [ref, area.number, record.key]
        if kind.name == "subrisk":
            title = record.statement
            history_url = reverse("risks:subrisk-history", args=args)
        else:
            title = record.text
            history_url = reverse("risks:area-history", args=[ref, area.number])
    return ArchivedRecord(
        kind=kind.name,
        label=record_label(kind.name, record),
        title=Truncator(" ".join(title.split())).chars(90),
        reference=record.reference,
        archived_at=record.archived_at,
        archived_by=archivers.get(record.pk, ""),
        revision=record.revision,
        restore_url=reverse(f"risks:{kind.name}-restore", args=args),
        history_url=history_url,
        blocked_by_area=area.number if area is not None and area.is_archived else None,
    )
