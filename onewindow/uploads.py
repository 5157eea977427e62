"""An uploaded file served inline to someone a view has already checked may see it: never
sniffed, never cached, shown inline. An image also runs in a CSP sandbox; a PDF cannot (Chromium
refuses to run its PDF viewer in a sandboxed document — crbug.com/271452), so it gets a policy
that lets only the viewer's own styles and embed load. Used by applicants' materials (cases) and
12345 attachments (hotline); nothing under MEDIA_ROOT but the catalog's blank forms is public."""

from django.http import FileResponse

IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
PDF_CSP = (
    "default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def inline(opened_file, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(opened_file, content_type=content_type, as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP if content_type == "application/pdf" else IMAGE_CSP
    response["Cache-Control"] = "private, no-store"  # every read goes through a view that checks it
    response["Referrer-Policy"] = "no-referrer"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
