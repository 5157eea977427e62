from onewindow.payments.tests.fixtures import bank_secret, bank_teller, charged, finance, free, head_b  # noqa: F401
