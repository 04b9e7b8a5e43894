"""Starting and ending a live session, and its room page (join code, QR code, who is there)."""

from django.http import HttpResponse

# Stubs of the URL contract (strategies/urls.py): each is replaced by its real view.


def live_room(request, *args, **kwargs):
    return HttpResponse("")


def live_session_start(request, *args, **kwargs):
    return HttpResponse("")


def live_session_end(request, *args, **kwargs):
    return HttpResponse("")
