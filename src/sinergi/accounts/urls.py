from django.contrib.auth import views as auth_views
from django.urls import path

from sinergi.accounts import views
from sinergi.core.access import ANY_ROLE, allow

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", allow(ANY_ROLE)(auth_views.LogoutView.as_view()), name="logout"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/", views.profile, name="profile"),
    path("akun/token/baru/", views.token_create, name="token_create"),
    path("akun/token/<int:pk>/cabut/", views.token_revoke, name="token_revoke"),
    path("pengguna/<int:pk>/token/cabut-semua/", views.user_tokens_revoke, name="user_tokens_revoke"),
    path("akun/2fa/", views.two_factor, name="two_factor"),
    path("akun/2fa/verifikasi/", views.two_factor_verify, name="two_factor_verify"),
    path("pengguna/<int:pk>/2fa/matikan/", views.user_two_factor_off, name="user_two_factor_off"),
    path("pengguna/<int:pk>/tautan-atur-ulang/", views.user_reset_link, name="user_reset_link"),
    path(
        "akun/atur-ulang/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset"
    ),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/<int:pk>/", views.user_edit, name="user_edit"),
    path("pengguna/<int:pk>/kata-sandi/", views.user_password, name="user_password"),
    path("pengguna/<int:pk>/buka-kunci/", views.user_unlock, name="user_unlock"),
    path("organisasi/", views.organisation_list, name="organisation_list"),
    path("organisasi/baru/", views.organisation_create, name="organisation_create"),
    path("organisasi/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("upt/", views.unit_list, name="unit_list"),
]
