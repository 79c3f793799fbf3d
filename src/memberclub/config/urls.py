"""Top-level URL routes."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from memberclub.api import urls as api_urls
from memberclub.console import program_end

urlpatterns = [
    path(
        "console/reports/",
        RedirectView.as_view(pattern_name="admin:reports_entrysummary_changelist"),
    ),
    path(
        "console/program-end/<str:program>/",
        admin.site.admin_view(program_end.program_end_view),
        name="console_program_end",
    ),
    path("console/", admin.site.urls),
    path("api/v1/", include((api_urls.urlpatterns, api_urls.app_name), api_urls.namespace)),
    path("exchange/", include("memberclub.exchange.urls")),
    path("storage/", include("memberclub.portal.storage_urls")),
    path("", include("memberclub.portal.urls")),
]

# Every error a member can meet is a page in the portal's layout and language.
handler400 = "memberclub.portal.views.errors.bad_request"
handler403 = "memberclub.portal.views.errors.permission_denied"
handler404 = "memberclub.portal.views.errors.page_not_found"
handler500 = "memberclub.portal.views.errors.server_error"
