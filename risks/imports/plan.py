"""Checking an imported register document and comparing it with the register.

`make_plan` checks the whole document (every problem at once, each with where it
is) and returns a `Plan`: a preview that can be stored as JSON, listing what would
be created, changed field by field (with the rating changes the matrix gives) and
archived, and the operations that apply it. Records are matched by their stable
reference: areas by number, sub-risks, factors and mitigations by key within
their area, lessons by source and number, glossary terms by abbreviation.

An import never changes the methodology: a document whose scales, rating levels
or matrix differ from the register's is refused, because those changes belong to
a Methodology admin on the methodology page.
"""

from dataclasses import dataclass, field

from mitigations.models import Mitigation
from risks.document import DocumentError, parse_document
from risks.models import (
    GlossaryTerm,
    Lesson,
    LessonSource,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)
from risks.rating import Matrix
from risks.references import (
    area_reference,
    factor_reference,
    lesson_reference,
    mitigation_reference,
    subrisk_reference,
)

from .checks import (
    methodology_problems,
    new_register_preview,
    register_problems,
)
from .checks import shown as _shown
from .checks import title as _title
from .files import ImportFileError
from .locate import resolve_levels

CREATE, UPDATE, ARCHIVE, RESTORE = "create", "update", "archive", "restore"

REGISTER_FIELDS = {
    "name": "Name",
    "version": "Version",
    "status": "Status",
    "effective_date": "Effective date",
    "approving_body": "Approving body",
    "paper_reference": "Paper reference",
    "description": "Description",
    "source_citation": "Source citation",
}
AREA_FIELDS = {
    "name": "Name",
    "group": "Group",
    "statement": "Description",
    "rating_commentary": "Risk rating commentary",
    "settlement_impact": "Settlement impact",
    "market_impact": "Market impact",
    "see_also": "See also",
}
SUBRISK_FIELDS = {
    "statement": "Description",
    "rating_label": "Rating label",
    "likelihood": "Likelihood",
    "impact": "Settlement impact",
    "order": "Position",
}
FACTOR_FIELDS = {
    "style": "Style",
    "lead_in": "Lead-in",
    "text": "Text",
    "order": "Position",
}
MITIGATION_FIELDS = {
    "kind": "Kind",
    "none_proposed": "None proposed",
    "text": "Text",
    "owner": "Owner",
    "status": "Status",
    "due_date": "Due date",
    "references": "References",
    "subrisks": "Sub-risks",
    "order": "Position",
}
SOURCE_FIELDS = {"name": "Name", "order": "Position"}
LESSON_FIELDS = {
    "problem": "Problem",
    "lesson": "Lesson",
    "related_areas": "Related areas",
}
GLOSSARY_FIELDS = {"meaning": "Meaning"}


@dataclass
class Plan:
    """What an import would do: `preview` to show and store, `operations` to run."""

    preview: dict
    document: dict
    operations: list = field(default_factory=list)


@dataclass
class Operation:
    """One write: `action` on the record `instance` (None to create one)."""

    kind: str
    action: str
    model: type
    key: tuple
    instance: object = None
    fields: dict = field(default_factory=dict)
    m2m: dict = field(default_factory=dict)


def _changes(current, desired, labels, display=None):
    """Field-by-field differences as [{field, old, new}], in `labels` order."""
    display = display or {}
    changes = []
    for name, label in labels.items():
        if name not in desired or current.get(name) == desired[name]:
            continue
        show = display.get(name, _shown)
        changes.append(
            {
                "field": label,
                "old": show(current.get(name)),
                "new": show(desired[name]),
            }
        )
    return changes


class _Planner:
    """Builds a plan for an existing register; see `make_plan`."""

    def __init__(self, register, document, stated_ratings):
        self.register = register
        self.document = document
        self.stated_ratings = stated_ratings or {}
        self.ref = register.reference
        self.entries = []
        self.operations = []
        self.warnings = []
        self.unchanged = 0
        methodology = register.methodology
        self.likelihoods = {
            level.value: level for level in methodology.likelihood_levels.all()
        }
        self.impacts = {level.value: level for level in methodology.impact_levels.all()}
        self.matrix = Matrix.for_methodology_id(methodology.pk)

    def record(self, kind, action, key, reference, title, *, instance=None, **kw):
        changes = kw.pop("changes", [])
        if action == UPDATE and not changes:
            self.unchanged += 1
            return
        entry = {
            "kind": kind,
            "action": action,
            "reference": reference,
            "title": _title(title),
            "changes": changes,
        }
        if instance is not None:
            entry["revision"] = getattr(instance, "revision", None)
        self.entries.append(entry)
        self.operations.append(
            Operation(kind=kind, action=action, key=key, instance=instance, **kw)
        )

    def rating_name(self, likelihood, impact):
        rating = self.matrix.rating_for(
            self.likelihoods[likelihood].pk, self.impacts[impact].pk
        )
        return rating.name

    def run(self):
        self.plan_register()
        self.plan_areas()
        self.plan_lessons()
        self.plan_glossary()

    def plan_register(self):
        register = self.register
        desired = dict(self.document["register"])
        desired.pop("reference")
        current = {name: getattr(register, name) for name in desired}
        statuses = dict(Register.Status.choices)
        changes = _changes(
            current,
            desired,
            REGISTER_FIELDS,
            {"status": lambda value: statuses.get(value, value)},
        )
        self.record(
            "register",
            UPDATE,
            (),
            register.reference,
            register.name,
            instance=register,
            model=Register,
            fields=desired,
            changes=changes,
        )

    def plan_areas(self):
        ref = self.ref
        existing = {
            area.number: area
            for area in RiskArea.objects.for_register(self.register).prefetch_related(
                "see_also"
            )
        }
        seen = set()
        for raw in self.document["areas"]:
            number = raw["number"]
            seen.add(number)
            area = existing.get(number)
            desired = {name: raw[name] for name in AREA_FIELDS}
            desired["see_also"] = sorted(raw["see_also"])
            fields = {k: v for k, v in desired.items() if k != "see_also"}
            m2m = {"see_also": desired["see_also"]}
            reference = area_reference(ref, number)
            if area is None:
                self.record(
                    "area",
                    CREATE,
                    (number,),
                    reference,
                    raw["name"],
                    model=RiskArea,
                    fields={"number": number, **fields},
                    m2m=m2m,
                )
            else:
                current = {name: getattr(area, name) for name in fields}
                current["see_also"] = sorted(a.number for a in area.see_also.all())
                self.record(
                    "area",
                    RESTORE if area.is_archived else UPDATE,
                    (number,),
                    reference,
                    raw["name"],
                    instance=area,
                    model=RiskArea,
                    fields=fields,
                    m2m=m2m,
                    changes=_changes(current, desired, AREA_FIELDS),
                )
        self.plan_children(existing)
        for number, area in existing.items():
            if number not in seen and not area.is_archived:
                self.record(
                    "area",
                    ARCHIVE,
                    (number,),
                    area.reference,
                    area.name,
                    instance=area,
                    model=RiskArea,
                )

    def plan_children(self, areas):
        register = self.register
        subrisks = SubRisk.objects.for_register(register).select_related(
            "area", "likelihood", "impact", "rating"
        )
        factors = RiskFactor.objects.filter(area__register=register).select_related(
            "area"
        )
        mitigations = (
            Mitigation.objects.filter(area__register=register)
            .select_related("area")
            .prefetch_related("subrisks")
        )
        by_area = {
            "subrisks": _by_area_and_key(subrisks),
            "risk_factors": _by_area_and_key(factors),
            "mitigations": _by_area_and_key(mitigations),
        }
        seen = {name: set() for name in by_area}
        for index, raw in enumerate(self.document["areas"]):
            self.plan_subrisks(index, raw, by_area["subrisks"], seen["subrisks"])
            self.plan_factors(raw, by_area["risk_factors"], seen["risk_factors"])
            self.plan_mitigations(raw, by_area["mitigations"], seen["mitigations"])
        for name, kind, model, label in (
            ("subrisks", "sub-risk", SubRisk, "statement"),
            ("risk_factors", "risk factor", RiskFactor, "text"),
            ("mitigations", "mitigation", Mitigation, "text"),
        ):
            for key, record in by_area[name].items():
                if key not in seen[name] and not record.is_archived:
                    self.record(
                        kind,
                        ARCHIVE,
                        key,
                        record.reference,
                        getattr(record, label),
                        instance=record,
                        model=model,
                    )

    def _positions(self, number, items, existing):
        """The order to store for each item of an area, by key.

        Stored orders are kept when the file lists the live records in their
        current sequence and only adds records after them; otherwise every record
        takes its position in the file.
        """
        live = sorted(
            (r for (n, _), r in existing.items() if n == number and not r.is_archived),
            key=lambda r: (r.order, r.key if isinstance(r, SubRisk) else r.pk),
        )
        live_keys = [record.key for record in live]
        file_keys = [item["key"] for item in items]
        live_set, file_set = set(live_keys), set(file_keys)
        kept = [key for key in file_keys if key in live_set]
        in_sequence = kept == [key for key in live_keys if key in file_set]
        if not (in_sequence and file_keys[: len(kept)] == kept):
            return {key: position for position, key in enumerate(file_keys, start=1)}
        top = max((record.order for record in live), default=0)
        positions = {}
        for key in file_keys:
            if key in live_set:
                positions[key] = existing[number, key].order
            else:
                top += 1
                positions[key] = top
        return positions

    def plan_subrisks(self, index, raw, existing, seen):
        number = raw["number"]
        positions = self._positions(number, raw["subrisks"], existing)
        labels = {
            "likelihood": lambda v: self.likelihoods[v].label if v else "",
            "impact": lambda v: self.impacts[v].label if v else "",
        }
        for sub_index, item in enumerate(raw["subrisks"]):
            key = (number, item["key"])
            seen.add(key)
            record = existing.get(key)
            desired = {
                "statement": item["statement"],
                "rating_label": item["rating_label"],
                "likelihood": item["likelihood"],
                "impact": item["impact"],
                "order": positions[item["key"]],
            }
            new_rating = self.rating_name(item["likelihood"], item["impact"])
            stated = self.stated_ratings.get(f"areas[{index}].subrisks[{sub_index}]")
            if stated and stated[1].casefold() != new_rating.casefold():
                self.warnings.append(
                    f"{stated[0]}: the rating '{stated[1]}' is not imported; the "
                    f"matrix rates {labels['likelihood'](item['likelihood'])} x "
                    f"{labels['impact'](item['impact'])} as {new_rating}."
                )
            fields = {
                **desired,
                "likelihood": self.likelihoods[item["likelihood"]],
                "impact": self.impacts[item["impact"]],
            }
            reference = subrisk_reference(self.ref, number, item["key"])
            if record is None:
                self.record(
                    "sub-risk",
                    CREATE,
                    key,
                    reference,
                    item["statement"],
                    model=SubRisk,
                    fields={"key": item["key"], **fields},
                    changes=[{"field": "Rating", "old": "", "new": new_rating}],
                )
                continue
            current = {
                "statement": record.statement,
                "rating_label": record.rating_label,
                "likelihood": record.likelihood.value,
                "impact": record.impact.value,
                "order": record.order,
            }
            changes = _changes(current, desired, SUBRISK_FIELDS, labels)
            if record.rating.name != new_rating:
                changes.append(
                    {"field": "Rating", "old": record.rating.name, "new": new_rating}
                )
            self.record(
                "sub-risk",
                RESTORE if record.is_archived else UPDATE,
                key,
                reference,
                item["statement"],
                instance=record,
                model=SubRisk,
                fields=fields,
                changes=changes,
            )

    def plan_factors(self, raw, existing, seen):
        number = raw["number"]
        positions = self._positions(number, raw["risk_factors"], existing)
        styles = dict(RiskFactor.Style.choices)
        for item in raw["risk_factors"]:
            key = (number, item["key"])
            seen.add(key)
            record = existing.get(key)
            desired = {
                "style": item["style"],
                "lead_in": item["lead_in"],
                "text": item["text"],
                "order": positions[item["key"]],
            }
            reference = factor_reference(self.ref, number, item["key"])
            if record is None:
                self.record(
                    "risk factor",
                    CREATE,
                    key,
                    reference,
                    item["text"],
                    model=RiskFactor,
                    fields={"key": item["key"], **desired},
                )
                continue
            current = {name: getattr(record, name) for name in desired}
            self.record(
                "risk factor",
                RESTORE if record.is_archived else UPDATE,
                key,
                reference,
                item["text"],
                instance=record,
                model=RiskFactor,
                fields=desired,
                changes=_changes(
                    current,
                    desired,
                    FACTOR_FIELDS,
                    {"style": lambda v: styles.get(v, v)},
                ),
            )

    def plan_mitigations(self, raw, existing, seen):
        number = raw["number"]
        positions = self._positions(number, raw["mitigations"], existing)
        kinds = dict(Mitigation.Kind.choices)
        statuses = dict(Mitigation.Status.choices)
        display = {
            "kind": lambda v: kinds.get(v, v),
            "status": lambda v: statuses.get(v, v),
        }
        for item in raw["mitigations"]:
            key = (number, item["key"])
            seen.add(key)
            record = existing.get(key)
            desired = {
                "kind": item["kind"],
                "none_proposed": item["none_proposed"],
                "text": item["text"],
                "owner": item["owner"],
                "status": item["status"],
                "due_date": item["due_date"],
                "references": list(item["references"]),
                "order": positions[item["key"]],
            }
            m2m = {"subrisks": sorted(item["subrisks"])}
            reference = mitigation_reference(self.ref, number, item["key"])
            if record is None:
                self.record(
                    "mitigation",
                    CREATE,
                    key,
                    reference,
                    item["text"],
                    model=Mitigation,
                    fields={"key": item["key"], **desired},
                    m2m=m2m,
                )
                continue
            current = {name: getattr(record, name) for name in desired}
            current["subrisks"] = sorted(s.key for s in record.subrisks.all())
            self.record(
                "mitigation",
                RESTORE if record.is_archived else UPDATE,
                key,
                reference,
                item["text"],
                instance=record,
                model=Mitigation,
                fields=desired,
                m2m=m2m,
                changes=_changes(
                    current, {**desired, **m2m}, MITIGATION_FIELDS, display
                ),
            )

    def plan_lessons(self):
        register = self.register
        sources = {
            source.key: source
            for source in LessonSource.objects.filter(register=register)
        }
        for order, item in enumerate(self.document["lesson_sources"], start=1):
            source = sources.get(item["key"])
            desired = {"name": item["name"], "order": order}
            if source is None:
                self.record(
                    "lesson source",
                    CREATE,
                    (item["key"],),
                    item["key"],
                    item["name"],
                    model=LessonSource,
                    fields={"key": item["key"], **desired},
                )
                continue
            current = {"name": source.name, "order": source.order}
            self.record(
                "lesson source",
                UPDATE,
                (item["key"],),
                item["key"],
                item["name"],
                instance=source,
                model=LessonSource,
                fields=desired,
                changes=_changes(current, desired, SOURCE_FIELDS),
            )

        lessons = {
            (lesson.source.key, lesson.number): lesson
            for lesson in Lesson.objects.filter(source__register=register)
            .select_related("source")
            .prefetch_related("related_areas")
        }
        seen = set()
        for item in self.document["lessons"]:
            key = (item["source"], item["number"])
            seen.add(key)
            lesson = lessons.get(key)
            desired = {"problem": item["problem"], "lesson": item["lesson"]}
            m2m = {"related_areas": sorted(item["related_areas"])}
            reference = lesson_reference(self.ref, *key)
            if lesson is None:
                self.record(
                    "lesson",
                    CREATE,
                    key,
                    reference,
                    item["lesson"] or item["problem"],
                    model=Lesson,
                    fields={"number": item["number"], **desired},
                    m2m=m2m,
                )
                continue
            current = {"problem": lesson.problem, "lesson": lesson.lesson}
            current["related_areas"] = sorted(
                area.number for area in lesson.related_areas.all()
            )
            self.record(
                "lesson",
                RESTORE if lesson.is_archived else UPDATE,
                key,
                reference,
                item["lesson"] or item["problem"],
                instance=lesson,
                model=Lesson,
                fields=desired,
                m2m=m2m,
                changes=_changes(current, {**desired, **m2m}, LESSON_FIELDS),
            )
        for key, lesson in lessons.items():
            if key not in seen and not lesson.is_archived:
                self.record(
                    "lesson",
                    ARCHIVE,
                    key,
                    lesson.reference,
                    lesson.lesson or lesson.problem,
                    instance=lesson,
                    model=Lesson,
                )

    def plan_glossary(self):
        terms = {term.abbreviation: term for term in self.register.glossary.all()}
        seen = set()
        for item in self.document["glossary"]:
            abbreviation = item["abbreviation"]
            seen.add(abbreviation)
            term = terms.get(abbreviation)
            reference = f"{self.ref}/G/{abbreviation}"
            if term is None:
                self.record(
                    "glossary term",
                    CREATE,
                    (abbreviation,),
                    reference,
                    item["meaning"],
                    model=GlossaryTerm,
                    fields=dict(item),
                )
                continue
            self.record(
                "glossary term",
                UPDATE,
                (abbreviation,),
                reference,
                item["meaning"],
                instance=term,
                model=GlossaryTerm,
                fields={"meaning": item["meaning"]},
                changes=_changes(
                    {"meaning": term.meaning},
                    {"meaning": item["meaning"]},
                    GLOSSARY_FIELDS,
                ),
            )
        kept = sorted(set(terms) - seen, key=str.casefold)
        if kept:
            # Limitation: glossary terms missing from the file are kept, because
            # terms cannot be archived and an import never deletes.
            self.warnings.append(
                "Glossary: terms not in the file are kept, as terms are never "
                f"deleted by an import: {', '.join(kept)}."
            )


def _by_area_and_key(queryset):
    return {(record.area.number, record.key): record for record in queryset}


def _counts(entries, unchanged):
    counts = {CREATE: 0, UPDATE: 0, RESTORE: 0, ARCHIVE: 0}
    for entry in entries:
        counts[entry["action"]] += 1
    counts["unchanged"] = unchanged
    return counts


def make_plan(
    data,
    *,
    register=None,
    locate=None,
    problems=(),
    warnings=(),
    stated_ratings=None,
):
    """Checks a decoded register document and plans its import.

    `register` is the register to import onto, or None for a new one. `locate`
    rewrites a `path: problem` line for the reader (sheet, row, column);
    `stated_ratings` maps sub-risk paths to (where, rating) as the file gave
    them, for warnings; `problems` are those the reader found already (a cell
    with one of those gets no second problem here). Raises `ImportFileError`
    listing every problem.
    """
    locate = locate or (lambda problem: problem)
    found = list(problems)
    problems = resolve_levels(data)
    unresolved = {problem.partition(": ")[0] for problem in problems}
    try:
        document = parse_document(data)
    except DocumentError as error:
        problems.extend(
            problem
            for problem in error.problems
            if problem.partition(": ")[0] not in unresolved
        )
        document = None
    if document is not None:
        problems.extend(register_problems(document["register"], register))
        if register is not None:
            problems.extend(methodology_problems(register, document["methodology"]))
    if problems or found:
        places = {problem.partition(": ")[0] for problem in found}
        located = [locate(problem) for problem in problems]
        raise ImportFileError(
            dict.fromkeys(
                found + [p for p in located if p.partition(": ")[0] not in places]
            )
        )

    warnings = list(warnings)
    if register is None:
        entries = new_register_preview(document, document["methodology"])
        operations = []
        unchanged = 0
    else:
        planner = _Planner(register, document, stated_ratings)
        planner.run()
        entries, operations = planner.entries, planner.operations
        warnings.extend(planner.warnings)
        unchanged = planner.unchanged
    preview = {
        "register": document["register"]["reference"],
        "name": document["register"]["name"],
        "new_register": register is None,
        "counts": _counts(entries, unchanged),
        "entries": entries,
        "warnings": warnings,
    }
    return Plan(preview=preview, document=data, operations=operations)
