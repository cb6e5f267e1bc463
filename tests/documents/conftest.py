"""Key fixtures for the signing tests: a fresh key directory and county CA per test."""

import pytest

from documents import pki


@pytest.fixture
def key_dir(tmp_path, monkeypatch):
    """A private, empty key directory for this test (no passphrase, no cached signers)."""
    path = tmp_path / "keys"
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(path))
    monkeypatch.delenv(pki.PASSPHRASE_ENV, raising=False)
    pki.clear_caches()
    yield path
    pki.clear_caches()


@pytest.fixture
def county_ca(key_dir):
    return pki.create_county_ca("织金县")
