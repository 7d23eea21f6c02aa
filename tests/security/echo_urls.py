"""A deliberately broken page (it echoes its input unescaped), to prove the fuzzer notices."""

from django.http import HttpResponse
from django.urls import path


def echo(request):
    value = request.GET.get("q", "")
    return HttpResponse(f"<form method='get'><input name='q'></form>{value}")


urlpatterns = [path("echo/", echo)]
