import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = get_wsgi_application()

# The public address the QR codes and SMS links carry: refused at start in production settings.
from onewindow.links import fail_on_errors  # noqa: E402

fail_on_errors()

# Load WeasyPrint (Pango, font discovery) when a worker starts, not on its first notice: a notice
# at the window takes 0.25-0.5 s, the first one of a process ~1.3 s otherwise.
import weasyprint  # noqa: E402,F401

# Everything loaded so far lives as long as the worker: keep it out of the cyclic garbage
# collector's scans, which otherwise walk these objects again and again while requests allocate.
gc.freeze()
