"""The Editor's mitigation pages: add, edit, and turn a proposal into a control."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import View

from mitigations.forms import MitigationForm
from mitigations.models import Mitigation
from risks.forms import ActionForm
from risks.models import SubRisk
from risks.services import StaleRevisionError, mitigation_make_current
from risks.views.archiving import action_refused
from risks.views.conflicts import conflict_response
from risks.views.editing import (
    AreaRecordMixin,
    EditorPageMixin,
    RecordFormView,
    add_service_errors,
)


def mitigation_url(mitigation):
    return f"{mitigation.area.get_absolute_url()}#mitigation-{mitigation.key}"


class MitigationFormView(AreaRecordMixin, RecordFormView):
    model = Mitigation
    form_class = MitigationForm
    noun = "mitigation"
    template_name = "mitigations/mitigation_form.html"

    def get_form_kwargs(self):
        live = SubRisk.objects.filter(area=self.area, archived_at__isnull=True)
        return {"subrisks": list(live.select_related("area"))}

    def get_success_url(self, record):
        return mitigation_url(record)


class MitigationMakeCurrentView(EditorPageMixin, View):
    """Turns an implemented proposal into a current mitigation, as the same record."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        mitigation = get_object_or_404(
            Mitigation.objects.active().filter(area=self.area), key=self.kwargs["key"]
        )
        form = ActionForm(request.POST)
        if not form.is_valid():
            return action_refused(
                request, self.register, form, mitigation_url(mitigation)
            )

        try:
            mitigation = mitigation_make_current(
                mitigation=mitigation,
                user=request.user,
                revision=form.cleaned_data["revision"],
            )
        except StaleRevisionError as error:
            return conflict_response(
                request,
                stale=[(error.current, None)],
                register=self.register,
                reload_url=mitigation_url(mitigation),
                context={"action": "make current"},
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return action_refused(
                request, self.register, form, mitigation_url(mitigation)
            )

        messages.success(
            request, f"Mitigation {mitigation.reference} is now a current mitigation."
        )
        return redirect(mitigation_url(mitigation))
