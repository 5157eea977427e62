"""Reading a notice back as a person and a phone would: its text (pdftotext) and its QR code
(pdftoppm at 150 dpi, decoded with zxing-cpp)."""

import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image


def text_of(pdf: bytes) -> str:
    """The PDF's text with all white space removed (names and dates wrap inside table cells)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice.pdf"
        path.write_bytes(pdf)
        raw = subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return "".join(raw.split())


def qr_codes_of(pdf: bytes) -> list[str]:
    """The texts of the QR codes on the first page, printed at 150 dpi."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(Path(tmp) / "page")], check=True)  # fmt: skip
        with Image.open(Path(tmp) / "page.png") as page:
            return [code.text for code in zxingcpp.read_barcodes(page)]
