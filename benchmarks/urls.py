from django.http import HttpResponse
from django.urls import path

from pbsm.urls import urlpatterns as product_urls


def bare(request):
    """The yardstick: what the stack costs with no work at all."""
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", bare), *product_urls]
