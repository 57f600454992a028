"""django-ninja's templates and static files (the API docs page) without importing ninja when Django starts.

Listing "ninja" in INSTALLED_APPS makes Django import the package, and with it pydantic and the whole API
machinery, in every process, about a fifth of the `sinergi` command's start-up, though only the URLconf
(config.urls, then config.api) uses it. This app gives Django the same files: its path is ninja's own
directory, so the app template loader finds `ninja/swagger.html` and the static finders `ninja/...`, and
its label is "ninja". ninja itself is imported when the URLconf is.
"""
