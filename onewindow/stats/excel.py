"""Any dashboard table as an Excel workbook (openpyxl): Chinese headers in the first row, bold;
one sheet per table (the satisfaction export: the figures, then the rectified bad ratings)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.stats.dashboard import Table


def workbook(table: Table, *more: Table) -> bytes:
    book = Workbook()
    for n, t in enumerate((table, *more)):
        _sheet(book.active if n == 0 else book.create_sheet(), t)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, table: Table) -> None:
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    for column, header in zip(sheet.columns, table.headers, strict=True):
        sheet.column_dimensions[column[0].column_letter].width = max(10, len(header) * 2 + 2)
