from django.urls import path

from sinergi.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("klien-saya/", views.caseload_view, name="caseload"),
    path("umk/", views.wage_list_view, name="wage_list"),
    path("kepala-bapas/", views.heads_view, name="heads"),
    path("buka/<int:episode>/", views.case_open_view, name="case_open"),
    path("bantuan/<int:pk>/bukti/", views.evidence_download_view, name="evidence_download"),
    path("<int:pk>/", views.case_detail_view, name="case_detail"),
    path("<int:pk>/tugaskan/", views.case_assign_view, name="case_assign"),
    path("<int:pk>/tutup/", views.case_close_view, name="case_close"),
    path("<int:pk>/jadwal-lapor/", views.schedule_view, name="schedule"),
    path("<int:pk>/sasaran/", views.goal_add_view, name="goal_add"),
    path("<int:pk>/sasaran/<int:goal>/", views.goal_edit_view, name="goal_edit"),
    path("<int:pk>/lapor/", views.report_add_view, name="report_add"),
    path("<int:pk>/kunjungan/", views.visit_add_view, name="visit_add"),
    path("<int:pk>/bantuan/", views.aid_add_view, name="aid_add"),
    path("<int:pk>/pemantauan/<int:milestone>/", views.followup_view, name="followup"),
    path("<int:pk>/pengulangan/", views.reoffence_add_view, name="reoffence_add"),
]
