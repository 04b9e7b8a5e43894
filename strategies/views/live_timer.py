"""The timebox of a live session's shown step: the panel and the facilitator's controls."""

from django.http import HttpResponse

# Stubs of the URL contract (strategies/urls.py): each is replaced by its real view.


def live_timer_panel(request, *args, **kwargs):
    return HttpResponse("")


def live_timer_control(request, *args, **kwargs):
    return HttpResponse("")
