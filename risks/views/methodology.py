"""Changing a register's methodology: edit, preview, confirm; and its versions.

Only Methodology admins edit. The editor posts the whole proposed methodology;
the preview runs the real save and rolls it back, and carries the change to the
confirmation as a signed payload with the methodology revision it was previewed
at, so confirming saves exactly what was previewed or nothing at all. Every
Viewer can read the versions and compare them.
"""

import logging
from collections import Counter
from functools import cached_property

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.generic import ListView, TemplateView

from risks.document import methodology_to_document
from risks.methodology import (
    MethodologyChange,
    PreviewOutdatedError,
    methodology_confirm,
    methodology_preview,
)
from risks.methodology_forms import (
    BandsForm,
    CompareForm,
    ConfirmForm,
    CopyForm,
    MethodologyForm,
    Proposal,
)
from risks.models import ImpactLevel, LikelihoodLevel, MethodologyVersion
from risks.services import StaleRevisionError
from risks.versions import (
    RatingLook,
    compare_states,
    difference_sentences,
    levels,
    rating_looks,
    state_from_change,
    state_rows,
)
from risks.views.mixins import MethodologyAdminRequiredMixin, RegisterPageMixin

logger = logging.getLogger(__name__)

PAYLOAD_SALT = "risks.methodology-change"
PAYLOAD_MAX_AGE = 24 * 60 * 60
ADMIN_ONLY = "Only Methodology admins can change a register's methodology."


class PayloadError(Exception):
    pass


class MethodologyEditorMixin(MethodologyAdminRequiredMixin, RegisterPageMixin):
    """The editor's shared parts: its forms, the preview and the payload."""

    section = "methodology"
    permission_denied_message = ADMIN_ONLY

    @cached_property
    def methodology(self):
        return self.register.methodology

    @cached_property
    def used(self):
        """Per scale, the stored levels that sub-risks use, with their counts."""
        return {
            scale: [
                (level.value, level.label, level.used)
                for level in model.objects.filter(methodology=self.methodology)
                .annotate(used=Count("subrisks"))
                .filter(used__gt=0)
                .order_by("value")
            ]
            for scale, model in (
                ("likelihood", LikelihoodLevel),
                ("impact", ImpactLevel),
            )
        }

    def editor_form(self, data=None, *, proposal=None):
        return MethodologyForm(
            data,
            methodology=self.methodology,
            proposal=proposal or Proposal.from_methodology(self.methodology),
            used=self.used,
        )

    def render_editor(self, form, *, bands=None, copy=None, status=200, **notes):
        """The editor page; `notes` are `notice` (done) or `conflict` (refused)."""
        proposal = form.raw_proposal() if form.is_bound else form.proposal
        ratings = [
            (row, form.rating_name(row)) for row in range(1, form.counts["rating"] + 1)
        ]
        context = self.get_context_data(
            form=form,
            bands_form=bands or BandsForm(ratings=ratings, proposal=proposal),
            copy_form=copy or CopyForm(register=self.register),
            methodology=self.methodology,
            **notes,
        )
        return self.page("risks/methodology_form.html", context, status)

    def payload(self, change, preview):
        return signing.dumps(
            {
                "register": self.register.reference,
                "revision": preview.revision,
                "digest": preview.digest,
                "change": change.to_data(),
            },
            salt=PAYLOAD_SALT,
            compress=True,
        )

    def read_payload(self, value):
        """The payload's content; raises PayloadError saying what is wrong."""
        try:
            data = signing.loads(value, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
        except signing.SignatureExpired:
            raise PayloadError(
                "This preview is more than a day old; preview the change again."
            ) from None
        except signing.BadSignature:
            raise PayloadError(
                "The previewed change could not be read back; it may have been "
                "altered. Preview the change again."
            ) from None
        if data.get("register") != self.register.reference:
            raise PayloadError("The previewed change belongs to another register.")
        return data

    def render_preview(self, change, preview, *, confirm=None, status=200, **notes):
        current = methodology_to_document(self.methodology)
        proposed = state_from_change(change)
        comparison = compare_states(current, proposed)
        payload = self.payload(change, preview)
        confirm = confirm or ConfirmForm(initial={"payload": payload})
        if confirm.is_bound:
            confirm.data = confirm.data.copy()
            confirm.data["payload"] = payload
        context = self.get_context_data(
            methodology=self.methodology,
            preview=preview,
            changes=preview_rows(preview, current, proposed),
            counts=count_rows(preview, current, proposed),
            comparison=comparison,
            differences=difference_sentences(comparison),
            moves=level_moves(change, current),
            matrix=state_rows(proposed, notes=comparison.notes("new")),
            impacts=levels(proposed, "impact_levels"),
            confirm_form=confirm,
            payload=payload,
            **notes,
        )
        return self.page("risks/methodology_preview.html", context, status)

    def render_problem(self, title, message, *, payload="", errors=(), status=400):
        context = self.get_context_data(
            title=title, message=message, payload=payload, errors=errors
        )
        return self.page("risks/methodology_problem.html", context, status)

    def page(self, template, context, status):
        return TemplateResponse(self.request, template, context, status=status)


class MethodologyEditView(MethodologyEditorMixin, TemplateView):
    """The editor: GET shows the stored methodology; POST reworks the proposal."""

    template_name = "risks/methodology_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_editor(self.editor_form())

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action == "edit":
            return self.edit_payload()
        form = self.editor_form(request.POST)
        handlers = {"resize": self.resize, "bands": self.bands, "copy": self.copy}
        if action not in handlers:
            logger.warning("Refused methodology editor action %r", action[:20])
            return self.render_editor(
                self.editor_form(proposal=form.raw_proposal()),
                conflict="The editor did not say what to do; use one of its buttons.",
                status=400,
            )
        return handlers[action](form)

    def resize(self, form):
        counts = form.counts
        return self.render_editor(
            self.editor_form(proposal=form.raw_proposal()),
            notice=f"The form now has {counts['likelihood']} likelihood levels, "
            f"{counts['impact']} settlement impact levels and {counts['rating']} "
            "rating levels. Fill in any new rows and cells, then preview the change.",
        )

    def bands(self, form):
        proposal = form.raw_proposal()
        ratings = [
            (row, form.rating_name(row)) for row in range(1, form.counts["rating"] + 1)
        ]
        bands = BandsForm(self.request.POST, ratings=ratings, proposal=proposal)
        matrix = bands.fill(
            likelihoods=form.counts["likelihood"], impacts=form.counts["impact"]
        )
        if matrix is None:
            return self.render_editor(
                self.editor_form(proposal=proposal),
                bands=bands,
                conflict="The grid could not be filled from the score bands; see "
                "the score bands below.",
                status=400,
            )
        proposal.matrix = matrix
        return self.render_editor(
            self.editor_form(proposal=proposal),
            bands=bands,
            notice="The grid was filled from the score bands. Adjust any cell by "
            "hand, then preview the change.",
        )

    def copy(self, form):
        copy = CopyForm(self.request.POST, register=self.register)
        source = copy.source()
        proposal = form.raw_proposal()
        if source is None:
            return self.render_editor(
                self.editor_form(proposal=proposal),
                copy=copy,
                conflict="Nothing was copied; see “Copy from another register” below.",
                status=400,
            )
        copied = Proposal.from_methodology(source)
        copied.revision = proposal.revision
        return self.render_editor(
            self.editor_form(proposal=copied),
            copy=copy,
            notice=f"The methodology of {source.register.reference} is now the "
            "proposal. Check it, choose where sub-risks on removed levels go, then "
            "preview the change.",
        )

    def edit_payload(self):
        try:
            data = self.read_payload(self.request.POST.get("payload", ""))
        except PayloadError as error:
            return self.render_problem("The proposal could not be opened", str(error))
        change = MethodologyChange.from_data(data["change"])
        proposal = Proposal.from_change(change, revision=data["revision"])
        return self.render_editor(self.editor_form(proposal=proposal))


class MethodologyPreviewView(MethodologyEditorMixin, TemplateView):
    """Checks the proposal and shows what saving it would do."""

    template_name = "risks/methodology_preview.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.editor_form(request.POST)
        posted_revision = form.raw_proposal().revision
        if posted_revision is not None and posted_revision != self.methodology.revision:
            proposal = form.raw_proposal()
            proposal.revision = self.methodology.revision
            return self.render_editor(
                self.editor_form(proposal=proposal),
                conflict="Someone saved a new methodology version (now version "
                f"{self.methodology.version}) since you opened the editor. Your "
                "proposal is kept below; preview it again to see its effect on "
                "the new version.",
                status=409,
            )
        if not form.is_valid():
            return self.render_editor(form, status=400)
        try:
            preview = methodology_preview(
                methodology=self.methodology, change=form.change, user=request.user
            )
        except ValidationError as error:
            # The sub-risks moved between the form's check and the preview.
            return self.render_problem(
                "The change cannot be previewed",
                "The register changed while the preview was being prepared.",
                errors=error.messages,
                status=409,
            )
        return self.render_preview(form.change, preview)


class MethodologyConfirmView(MethodologyEditorMixin, TemplateView):
    """Saves exactly the previewed change as a new version, or nothing."""

    template_name = "risks/methodology_preview.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST)
        try:
            data = self.read_payload(request.POST.get("payload", ""))
        except PayloadError as error:
            logger.warning("Refused a methodology confirmation: %s", error)
            return self.render_problem("Nothing was saved", str(error))
        change = MethodologyChange.from_data(data["change"])
        if not form.is_valid():
            return self.repreview(change, confirm=form, status=400)

        change.reason = form.cleaned_data["reason"].strip()
        try:
            result = methodology_confirm(
                methodology=self.methodology,
                change=change,
                user=request.user,
                revision=data["revision"],
                digest=data["digest"],
            )
        except StaleRevisionError as error:
            return self.render_problem(
                "Nothing was saved: the methodology has changed",
                f"Someone saved methodology version {error.current.version} after "
                "your preview, so your change was not applied. Open your proposal "
                "again to preview it against the new version.",
                payload=request.POST["payload"],
                status=409,
            )
        except PreviewOutdatedError:
            return self.repreview(
                change,
                confirm=form,
                status=409,
                conflict="Nothing was saved: sub-risks were edited after your "
                "preview, so the change would now alter other ratings. Check the "
                "updated preview below and confirm again.",
            )
        except ValidationError as error:
            return self.render_problem(
                "Nothing was saved: the change no longer fits the register",
                "Sub-risks were edited after your preview.",
                payload=request.POST["payload"],
                errors=error.messages,
                status=409,
            )
        messages.success(
            request,
            f"Saved methodology version {result.version}; {len(result.changes)} "
            f"rating{'s' if len(result.changes) != 1 else ''} changed.",
        )
        return redirect(
            "risks:methodology-version-detail", self.register.reference, result.version
        )

    def repreview(self, change, *, confirm, status, **notes):
        try:
            preview = methodology_preview(
                methodology=self.methodology, change=change, user=self.request.user
            )
        except ValidationError as error:
            return self.render_problem(
                "Nothing was saved: the change no longer fits the register",
                "The methodology or its sub-risks changed after your preview.",
                payload=self.request.POST.get("payload", ""),
                errors=error.messages,
                status=409,
            )
        return self.render_preview(
            change, preview, confirm=confirm, status=status, **notes
        )


def preview_rows(preview, current, proposed):
    """The previewed rating changes with badges for the old and new ratings."""
    old_looks, new_looks = rating_looks(current), rating_looks(proposed)
    rows = []
    for change in preview.changes:
        number, key = change.reference.rsplit("/", 1)[1].split(".", 1)
        rows.append(
            {
                "reference": change.reference,
                "number": int(number),
                "key": key,
                "statement": change.statement,
                "old": old_looks.get(change.old) or RatingLook(change.old, ""),
                "new": new_looks.get(change.new) or RatingLook(change.new, ""),
            }
        )
    return rows


def count_rows(preview, current, proposed):
    """Sub-risks per rating before and after, proposed ratings first, by rank."""
    old_looks, new_looks = rating_looks(current), rating_looks(proposed)
    before, after = Counter(preview.counts_before), Counter(preview.counts_after)
    names = sorted(new_looks, key=lambda name: new_looks[name].rank) + sorted(
        (name for name in old_looks if name not in new_looks),
        key=lambda name: old_looks[name].rank,
    )
    return [
        {
            "look": new_looks.get(name) or old_looks[name],
            "before": before[name],
            "after": after[name],
            "removed": name not in new_looks,
        }
        for name in names
    ]


def level_moves(change, current):
    """Sentences saying where sub-risks on removed levels go."""
    moves = []
    for scale, title in (("likelihood", "likelihood"), ("impact", "settlement impact")):
        kept = {level["value"] for level in getattr(change, f"{scale}_levels")}
        old = {level["value"]: level["label"] for level in current[f"{scale}_levels"]}
        new = {
            level["value"]: level["label"]
            for level in getattr(change, f"{scale}_levels")
        }
        for value, target in sorted(getattr(change, f"{scale}_mapping").items()):
            if value in old and value not in kept and target in new:
                moves.append(
                    f"Sub-risks on {title} level {value} ({old[value]}) move to "
                    f"level {target} ({new[target]})."
                )
    return moves


class MethodologyVersionListView(RegisterPageMixin, ListView):
    """Every saved version of the methodology, newest first."""

    template_name = "risks/methodologyversion_list.html"
    context_object_name = "versions"
    section = "methodology"

    def get_queryset(self):
        return (
            MethodologyVersion.objects.filter(methodology=self.register.methodology)
            .select_related("created_by")
            .order_by("-version")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["methodology"] = self.register.methodology
        return context


class MethodologyVersionDetailView(RegisterPageMixin, TemplateView):
    """One saved version: its scales, rating levels and grid."""

    template_name = "risks/methodologyversion_detail.html"
    section = "methodology"

    @cached_property
    def version(self):
        try:
            return MethodologyVersion.objects.select_related("created_by").get(
                methodology=self.register.methodology, version=self.kwargs["version"]
            )
        except MethodologyVersion.DoesNotExist:
            raise Http404("No such methodology version.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.version.snapshot
        context.update(
            methodology=self.register.methodology,
            version=self.version,
            state=snapshot,
            likelihoods=levels(snapshot, "likelihood_levels"),
            impacts=levels(snapshot, "impact_levels"),
            ratings=[
                {**level, "look": RatingLook(level["name"], level["colour"])}
                for level in sorted(snapshot["rating_levels"], key=_rank)
            ],
            glossary=self.glossary,
            matrix=state_rows(snapshot),
            previous=self.version.version - 1 if self.version.version > 1 else None,
        )
        return context


class MethodologyCompareView(RegisterPageMixin, TemplateView):
    """Two versions side by side, cell by cell, with their level differences."""

    template_name = "risks/methodology_compare.html"
    section = "methodology"

    def get(self, request, *args, **kwargs):
        numbers = list(
            MethodologyVersion.objects.filter(methodology=self.register.methodology)
            .order_by("version")
            .values_list("version", flat=True)
        )
        form = CompareForm(request.GET or None, versions=numbers)
        status = 200
        pair = None
        if form.is_bound:
            if form.is_valid():
                pair = form.cleaned_data["from"], form.cleaned_data["to"]
            else:
                logger.warning(
                    "Refused version comparison for %s: %s",
                    self.register.reference,
                    ", ".join(sorted(form.errors)),
                )
                status = 400
        elif len(numbers) > 1:
            pair = numbers[-2], numbers[-1]
        context = self.get_context_data(form=form, **self.comparison(pair))
        return self.render_to_response(context, status=status)

    def comparison(self, pair):
        if pair is None:
            return {"comparison": None}
        snapshots = dict(
            MethodologyVersion.objects.filter(
                methodology=self.register.methodology, version__in=pair
            ).values_list("version", "snapshot")
        )
        old, new = snapshots[pair[0]], snapshots[pair[1]]
        comparison = compare_states(old, new)
        return {
            "comparison": comparison,
            "old_number": pair[0],
            "new_number": pair[1],
            "old_matrix": state_rows(old, notes=comparison.notes("old")),
            "new_matrix": state_rows(new, notes=comparison.notes("new")),
            "old_impacts": levels(old, "impact_levels"),
            "new_impacts": levels(new, "impact_levels"),
            "differences": difference_sentences(comparison),
        }


def _rank(level):
    return level["rank"]
