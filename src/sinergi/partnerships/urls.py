from django.urls import path

from sinergi.partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("baru/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/ubah/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/akhiri/", views.agreement_terminate, name="agreement_terminate"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("dokumen/<int:pk>/unduh/", views.document_download, name="document_download"),
]
