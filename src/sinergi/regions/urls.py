from django.urls import path

from sinergi.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.region_search, name="region_search"),
    path("pilih-kecamatan/", views.district_picker, name="district_picker"),
    path("<str:code>/", views.region_detail, name="region_detail"),
]
