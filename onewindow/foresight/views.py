"""Pages of the forecast: the model a maintainer reads, and the promise advisor."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def model_page(request):
    return render(request, "foresight/model.html", {})
