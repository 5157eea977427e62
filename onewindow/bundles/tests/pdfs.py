"""Reading a bundle notice back: the documents module's helpers (text and QR codes)."""

from onewindow.documents.tests.pdfs import qr_codes_of, text_of


def read(pdf: bytes) -> tuple[str, list[str]]:
    """(the text with white space removed — cells wrap —, the QR codes' texts of page 1)."""
    return text_of(pdf), qr_codes_of(pdf)
