from django.urls import path

from sinergi.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("laporan/daftar/<slug:metric>/", views.figure_list, name="figure_list"),
    path("laporan/ekspor/<slug:kind>/", views.export_form, name="export_form"),
    path("laporan/ekspor/<slug:kind>.<str:fmt>", views.list_export, name="list_export"),
    path("laporan/kerja-sama/", views.report_list, name="report_list"),
    path("laporan/kerja-sama/baru/", views.report_create, name="report_create"),
    path("laporan/kerja-sama/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/kerja-sama/<int:pk>/unduh/", views.report_download, name="report_download"),
    path("laporan/subjek/<int:pk>/", views.subject_access, name="subject_access"),
    path("laporan/subjek/ekspor/<int:pk>/", views.subject_export, name="subject_export"),
    path("laporan/subjek/ekspor/<int:pk>/unduh/", views.subject_download, name="subject_download"),
    path("laporan/indeks-kemandirian/", views.independence_list, name="independence_list"),
    path("laporan/residivisme/", views.recidivism_list, name="recidivism_list"),
    path("laporan/sesi/", views.session_list, name="session_list"),
]
