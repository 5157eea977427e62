"""Reading the notice back as a person and a phone would: its text (pdftotext) and its QR code
(pdftoppm at 150 dpi, decoded with zxing-cpp)."""

import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image


def read(pdf: bytes) -> tuple[str, list[str]]:
    """(the text with white space removed — cells wrap —, the QR codes' texts of page 1)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice.pdf"
        path.write_bytes(pdf)
        raw = subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(Path(tmp) / "page")], check=True)  # fmt: skip
        with Image.open(Path(tmp) / "page.png") as page:
            codes = [code.text for code in zxingcpp.read_barcodes(page)]
    return "".join(raw.split()), codes
