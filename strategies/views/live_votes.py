"""Dot-voting in a live session: open, cast dots, reveal, apply the ranking as priorities."""

from django.http import HttpResponse

# Stubs of the URL contract (strategies/urls.py): each is replaced by its real view.


def live_vote_panel(request, *args, **kwargs):
    return HttpResponse("")


def live_vote_open(request, *args, **kwargs):
    return HttpResponse("")


def live_vote_dot(request, *args, **kwargs):
    return HttpResponse("")


def live_vote_reveal(request, *args, **kwargs):
    return HttpResponse("")


def live_vote_apply(request, *args, **kwargs):
    return HttpResponse("")


def live_vote_close(request, *args, **kwargs):
    return HttpResponse("")
