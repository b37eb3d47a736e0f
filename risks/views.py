from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from risks.models import Register


class RegisterListView(LoginRequiredMixin, ListView):
    model = Register
