from django.urls import path

from sinergi.beneficiaries import views, views_import

app_name = "beneficiaries"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("baru/", views.person_create, name="person_create"),
    path("bebas-segera/", views.upcoming_releases, name="upcoming_releases"),
    path("duplikat/", views.duplicates, name="duplicates"),
    path("duplikat/gabung/", views.merge, name="merge"),
    path("impor/", views_import.import_start, name="import_start"),
    path("impor/contoh.csv", views_import.import_sample, name="import_sample"),
    path("impor/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("impor/<int:pk>/konfirmasi/", views_import.import_confirm, name="import_confirm"),
    path("impor/<int:pk>/laporan.csv", views_import.import_report, name="import_report"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/ubah/", views.person_edit, name="person_edit"),
    path("<int:pk>/nik/", views.nik_reveal, name="nik_reveal"),
    path("<int:pk>/penahanan/", views.episode_add, name="episode_add"),
    path("<int:pk>/persetujuan/", views.consent_add, name="consent_add"),
    path("<int:pk>/integrasi/", views.integration_add, name="integration_add"),
    path("<int:pk>/persetujuan/<int:consent_id>/tarik/", views.consent_withdraw, name="consent_withdraw"),
]
