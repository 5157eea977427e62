"""Any dashboard table as an Excel workbook (openpyxl): Chinese headers in the first row, bold."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.stats.dashboard import Table


def workbook(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    for column, header in zip(sheet.columns, table.headers, strict=True):
        sheet.column_dimensions[column[0].column_letter].width = max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
