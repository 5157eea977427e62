"""QR codes on notices, licenses and tickets: a vector SVG as a data URI, sharp at any print
resolution and needing no file; error correction M survives a smudged or creased paper."""

import segno


def data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4)
