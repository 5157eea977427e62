"""The login lockout's answer (django-axes calls it: settings AXES_LOCKOUT_CALLABLE): a page in
Chinese, 429 with Retry-After. Every try during the lockout — the right password too — starts the
cool-off again (axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait is all of it."""

import math

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    seconds = math.ceil(settings.ONEWINDOW_LOGIN_COOLOFF_MINUTES * 60)
    context = {"minutes": settings.ONEWINDOW_LOGIN_COOLOFF_MINUTES, "limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
