from django.urls import path

from sinergi.impact import views

app_name = "impact"

urlpatterns = [
    path("", views.impact_index, name="index"),
    path("sdg/", views.sdg_rollup, name="sdg_rollup"),
    path("program/<int:pk>/", views.program_impact, name="program_impact"),
    path("perjanjian/<int:pk>/", views.agreement_impact, name="agreement_impact"),
    path("program/<int:pk>/keuangan/", views.program_finance, name="program_finance"),
    path("program/<int:pk>/anggaran/baru/", views.budget_line_create, name="budget_line_create"),
    path("program/<int:pk>/belanja/baru/", views.expenditure_create, name="expenditure_create"),
    path("program/<int:pk>/natura/baru/", views.in_kind_create, name="in_kind_create"),
    path("program/<int:pk>/sdg/", views.sdg_edit, name="sdg_edit"),
    path("program/<int:pk>/ikm/baru/", views.survey_create, name="survey_create"),
    path("anggaran/<int:pk>/ubah/", views.budget_line_edit, name="budget_line_edit"),
    path("belanja/<int:pk>/ubah/", views.expenditure_edit, name="expenditure_edit"),
    path("belanja/<int:pk>/kuitansi/", views.receipt_download, name="receipt_download"),
    path("natura/<int:pk>/ubah/", views.in_kind_edit, name="in_kind_edit"),
    path("peta-nilai/", views.value_map_list, name="value_map_list"),
    path("peta-nilai/baru/", views.value_map_create, name="value_map_create"),
    path("peta-nilai/<int:pk>/", views.value_map_detail, name="value_map_detail"),
    path("peta-nilai/<int:pk>/ubah/", views.value_map_edit, name="value_map_edit"),
    path("peta-nilai/<int:pk>/hasil/baru/", views.outcome_create, name="outcome_create"),
    path("peta-nilai/<int:pk>/ekspor/", views.value_map_export, name="value_map_export"),
    path("peta-nilai/<int:pk>/impor/", views.value_map_import, name="value_map_import"),
    path("peta-nilai/<int:pk>/bekukan/", views.value_map_freeze, name="value_map_freeze"),
    path("hasil/<int:pk>/ubah/", views.outcome_edit, name="outcome_edit"),
    path("hasil/<int:pk>/deadweight/", views.outcome_deadweight, name="outcome_deadweight"),
    path("potret/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("ikm/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("ikm/<int:pk>/impor/", views.survey_import, name="survey_import"),
]
