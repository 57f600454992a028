import pytest

from sinergi.core.crypto import blind_index, decrypt_text, encrypt_text
from sinergi.core.errors import ApplicationError


def test_encrypted_text_round_trips_and_hides_the_value() -> None:
    token = encrypt_text("1671010101900001")
    assert "1671010101900001" not in token
    assert decrypt_text(token) == "1671010101900001"


def test_blind_index_is_stable_and_keyed(settings) -> None:
    first = blind_index("1671010101900001")
    assert first == blind_index("1671010101900001")
    settings.FIELD_KEY = "another-key-for-this-test"
    assert blind_index("1671010101900001") != first


def test_a_wrong_field_key_is_a_clear_error(settings) -> None:
    token = encrypt_text("1671010101900001")
    settings.FIELD_KEY = "another-key-for-this-test"
    with pytest.raises(ApplicationError) as excinfo:
        decrypt_text(token)
    assert "SINERGI_FIELD_KEY" in str(excinfo.value.message)
