from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sinergi.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from sinergi.accounts import signals  # noqa: F401 (connects the lockout audit)
