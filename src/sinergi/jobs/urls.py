from django.urls import path

from sinergi.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_view, name="job_list"),
    path("<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("<uuid:job_id>/ulangi/", views.job_retry_view, name="job_retry"),
]
