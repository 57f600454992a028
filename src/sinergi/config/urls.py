from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from sinergi.accounts.views import language_set
from sinergi.config.api import api
from sinergi.core import views as core_views
from sinergi.core.access import mark_public
from sinergi.programs import views as programs_views

api_urls = api.urls
mark_public(api_urls[0])  # the API authenticates with tokens and checks roles per endpoint

urlpatterns = [
    path("", include("sinergi.reports.urls")),
    path("", include("sinergi.accounts.urls")),
    path("audit/", include("sinergi.audit.urls")),
    path("tugas/", include("sinergi.jobs.urls")),
    path("wilayah/", include("sinergi.regions.urls")),
    path("kerja-sama/", include("sinergi.partnerships.urls")),
    path("wbp/", include("sinergi.beneficiaries.urls")),
    path("program/", include("sinergi.programs.urls")),
    path("pembimbingan/", include("sinergi.aftercare.urls")),
    path("dampak/", include("sinergi.impact.urls")),
    path("sertifikat/<str:code>/", programs_views.certificate_verify, name="certificate_verify"),
    path("notifikasi/", include("sinergi.notifications.urls")),
    path("i18n/setlang/", login_not_required(language_set), name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    path("api/v1/", api_urls),
]

handler403 = "sinergi.core.views.error_403"
handler404 = "sinergi.core.views.error_404"
handler500 = "sinergi.core.views.error_500"
