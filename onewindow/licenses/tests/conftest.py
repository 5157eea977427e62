import pytest
from django.core.cache import cache

from onewindow.payments.tests.fixtures import bank_secret, bank_teller, charged, finance, free, head_b  # noqa: F401


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over():
    """Verification is rate-limited per address on the shared cache; each test starts afresh."""
    cache.clear()
