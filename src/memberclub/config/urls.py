"""Top-level URL routes."""

from django.contrib import admin
from django.urls import include, path

from memberclub.api import urls as api_urls
from memberclub.console import program_end

urlpatterns = [
    path(
        "console/program-end/<str:program>/",
        admin.site.admin_view(program_end.program_end_view),
        name="console_program_end",
    ),
    path("console/", admin.site.urls),
    path("api/v1/", include((api_urls.urlpatterns, api_urls.app_name), api_urls.namespace)),
    path("exchange/", include("memberclub.exchange.urls")),
    path("", include("memberclub.portal.urls")),
]
