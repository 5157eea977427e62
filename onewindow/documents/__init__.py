"""Notices (受理通知书、一次性告知书 …) as PDFs with a QR code to the progress page."""
