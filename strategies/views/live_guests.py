"""Guests: joining by code (or QR code), the guest's page with the shown step, leaving."""

from django.http import HttpResponse

# Stubs of the URL contract (strategies/urls.py): each is replaced by its real view.


def live_join(request, *args, **kwargs):
    return HttpResponse("")


def live_join_code(request, *args, **kwargs):
    return HttpResponse("")


def live_guest(request, *args, **kwargs):
    return HttpResponse("")


def live_guest_step(request, *args, **kwargs):
    return HttpResponse("")


def live_guest_leave(request, *args, **kwargs):
    return HttpResponse("")


def live_qr(request, *args, **kwargs):
    return HttpResponse("")
