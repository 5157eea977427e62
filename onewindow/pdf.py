"""PDFs (checklists, notices, licenses) from Django templates with WeasyPrint, set in Noto CJK
(Debian's fonts-noto-cjk, installed by `make run`). Templates extend `web/pdf_base.html`."""

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, *, base_url: str = "/") -> bytes:
    from weasyprint import HTML  # imported lazily: loading Pango costs ~0.3 s at start-up

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf()
