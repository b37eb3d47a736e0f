"""Marking a sub-risk's rating as reviewed, from its area page (Editors only)."""

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import dateformat
from django.views.generic import TemplateView

from risks.models import SubRisk
from risks.services import StaleRevisionError, subrisk_mark_reviewed
from risks.views.mixins import EditorRequiredMixin, RegisterMixin

logger = logging.getLogger(__name__)


class SubRiskReviewView(EditorRequiredMixin, RegisterMixin, TemplateView):
    """POST: records today as the sub-risk's review date, then back to its area."""

    template_name = "risks/subrisk_review_problem.html"
    http_method_names = ["post"]
    section = "areas"
    permission_denied_message = "Only Editors can mark a sub-risk as reviewed."

    def post(self, request, *args, **kwargs):
        subrisk = get_object_or_404(
            SubRisk.objects.active().select_related("area"),
            area__register=self.register,
            area__number=self.kwargs["number"],
            key=self.kwargs["key"],
        )
        area_url = f"{subrisk.area.get_absolute_url()}#subrisk-{subrisk.key}"
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            logger.warning("Refused a review mark without a revision")
            return self.problem(
                subrisk,
                area_url,
                "Revision: the form did not say which version of the sub-risk you "
                "reviewed. Reload the area page and try again.",
                status=400,
            )

        try:
            subrisk = subrisk_mark_reviewed(
                subrisk=subrisk, user=request.user, revision=revision
            )
        except StaleRevisionError as error:
            return self.problem(
                subrisk,
                area_url,
                f"Nothing was saved: sub-risk {subrisk.area.number}.{subrisk.key} "
                "was changed by someone else since you opened the page (it is now "
                f"at revision {error.current.revision}). Check it again before "
                "marking it reviewed.",
                status=409,
            )
        messages.success(
            request,
            f"Sub-risk {subrisk.area.number}.{subrisk.key} marked as reviewed on "
            f"{dateformat.format(subrisk.reviewed_on, 'j F Y')}.",
        )
        return redirect(area_url)

    def problem(self, subrisk, area_url, message, *, status):
        context = self.get_context_data(
            subrisk=subrisk, area_url=area_url, message=message
        )
        return self.render_to_response(context, status=status)
