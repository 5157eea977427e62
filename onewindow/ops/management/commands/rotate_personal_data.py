"""Re-encrypts every ID number and phone under the first key of ONEWINDOW_PII_KEYS and recomputes
their digests under ONEWINDOW_PII_INDEX_KEY (operator's guide "Personal data keys")."""

from django.core.management.base import BaseCommand
from django.db import transaction

from onewindow import pii


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key and recompute its digests (key rotation)."

    def handle(self, *args, **options):
        ring = pii.keyring()
        for model in pii.sealed_models():
            with transaction.atomic():
                rows = pii.reseal(model)
            self.stdout.write(f"{model._meta.label}: {rows} rows sealed under key {ring.current!r}")
