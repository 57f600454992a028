"""No personal data in logs: names, NIK, offences and usernames stay out of every log record written during
an import (good and bad rows), a person view, the registry list, and a failed login."""

from __future__ import annotations

import logging
from pathlib import Path

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import Person
from tests.beneficiaries.test_import import row, run, write_csv

NAME = "Rahasiawati Namapribadi"
NIK = "1671045505900007"
OFFENCE = "Penggelapan Khusus"


def test_no_personal_data_reaches_the_logs(world, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    path = write_csv(
        tmp_path / "wbp.csv",
        [
            row(no_registrasi="LOG-1", nama=NAME, nik=NIK, jenis_perkara=OFFENCE),
            row(no_registrasi="LOG-2", nama=NAME + " Dua", nik="123", tanggal_lahir="2099-01-01"),
        ],
    )
    run(path, "--skip-invalid")
    person = Person.objects.get(full_name=NAME)
    admin = Client(raise_request_exception=False)
    admin.force_login(world.users[Role.ADMIN])
    assert admin.get(f"/wbp/{person.pk}/").status_code == 200
    admin.get("/wbp/", {"q": NAME})
    admin.get("/wbp/", {"q": NIK})
    Client().post("/masuk/", {"username": "pengguna.rahasia", "password": "salah-sekali"})
    text = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    for secret in (NAME, "Rahasiawati", NIK, NIK[-8:], OFFENCE, "pengguna.rahasia", "salah-sekali"):
        assert secret not in text, f"{secret!r} found in the logs"
