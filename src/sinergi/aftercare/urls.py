from django.urls import path

from sinergi.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("", views.case_list_view, name="case_list"),
]
