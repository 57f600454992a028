from django.urls import path

from sinergi.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("baru/", views.program_create, name="program_create"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/ubah/", views.program_edit, name="program_edit"),
    path("<int:pk>/saring/", views.screening_run, name="screening_run"),
    path("penyaringan/<int:pk>/", views.run_detail, name="run_detail"),
    path("penyaringan/<int:pk>/setujui/", views.run_approve, name="run_approve"),
    path("angkatan/baru/", views.cohort_create, name="cohort_create"),
    path("angkatan/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("angkatan/<int:pk>/daftarkan/", views.cohort_enrol, name="cohort_enrol"),
    path("angkatan/<int:pk>/ubah/", views.cohort_edit, name="cohort_edit"),
    path("angkatan/<int:pk>/jadwal/", views.sessions_generate, name="sessions_generate"),
    path("peserta/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("sertifikat/<int:pk>/unduh/", views.certificate_download, name="certificate_download"),
    path("sertifikat/<int:pk>/cabut/", views.certificate_revoke, name="certificate_revoke"),
    path("penilaian/<int:pk>/koreksi/", views.assessment_correct, name="assessment_correct"),
    path("penilaian/<int:pk>/batal/", views.assessment_void, name="assessment_void"),
    path("peserta/<int:pk>/tahap/", views.enrollment_move, name="enrollment_move"),
    path("peserta/<int:pk>/bebas/", views.enrollment_release, name="enrollment_release"),
    path("sesi/<int:pk>/presensi/", views.session_attendance, name="session_attendance"),
    path("sesi/<int:pk>/ubah/", views.session_change, name="session_change"),
]
