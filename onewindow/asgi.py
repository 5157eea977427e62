import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = get_asgi_application()

# The public address the QR codes and SMS links carry: refused at start in production settings.
from onewindow.links import fail_on_errors  # noqa: E402

fail_on_errors()
