"""材料在线查阅 (issue 15 item 2): a case's uploaded files opened in the browser by whoever may
see the case — its applicant, and the staff whose scope covers it (cases.queries.visible_cases,
the one visibility rule) — and by no one else: to them the file answers 404, as if the case did
not exist. Every read is logged (MaterialRead), refused ones too. The files are served by a view
that asks `open_file`, never from a public path (there is no /media/ route)."""

from dataclasses import dataclass
from pathlib import Path, PurePath

from django.core.files.storage import default_storage

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import thumbnails
from onewindow.cases.models import Case, CaseMaterial, MaterialFile, MaterialRead
from onewindow.cases.queries import visible_cases
from onewindow.errors import NotFound

# The types an upload may have (cases.forms.SIGNATURES checked its first bytes).
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
READS_SHOWN = 50


@dataclass
class Opened:
    """What a permitted read serves: the file on disk, its type, and the name to show."""

    case: Case
    material: CaseMaterial
    earlier: MaterialFile | None
    stored_name: str
    path: Path
    content_type: str
    download_name: str


def content_type(stored_name: str) -> str:
    return CONTENT_TYPES.get(PurePath(stored_name).suffix.lower(), "application/octet-stream")


def is_pdf(stored_name: str) -> bool:
    return content_type(stored_name) == "application/pdf"


def _log(user: User, case: Case | None, material, earlier, kind: str, page: int | None, result: str) -> None:
    MaterialRead.objects.create(at=clock.now(), user=user, case=case, material=material, earlier_file=earlier,
                                kind=kind, page=page, result=result)  # fmt: skip


def open_file(user: User, number: str, material_id: int, *, earlier_id: int | None = None,
              page: int | None = None) -> Opened:  # fmt: skip
    """The material's file (or one of its earlier files, or — `page` — one page's thumbnail) for
    `user`, logged; NotFound (logged as refused or not found) for anyone the case is hidden from
    and for a file that is not there. The case is named in the log when it exists at all."""
    kind = MaterialRead.Kind.PAGE if page is not None else MaterialRead.Kind.FILE
    case = Case.objects.filter(number=number).only("pk", "number").first()
    row = CaseMaterial.objects.filter(pk=material_id, case=case).first() if case is not None else None
    earlier = (MaterialFile.objects.filter(pk=earlier_id, material=row).first()
               if row is not None and earlier_id is not None else None)  # fmt: skip
    if case is None or not visible_cases(user).filter(pk=case.pk).exists():
        _log(user, case, row, earlier, kind, page, MaterialRead.Result.REFUSED)
        raise NotFound("case.not_found", "未找到该办件。")
    stored = (earlier.file.name if earlier is not None else row.file.name) if row is not None else ""
    path = _path(stored, page) if stored and (earlier_id is None or earlier is not None) else None
    if path is None:
        _log(user, case, row, earlier, kind, page, MaterialRead.Result.NOT_FOUND)
        raise NotFound("case.material_not_found", "未找到该材料文件。")
    _log(user, case, row, earlier, kind, page, MaterialRead.Result.SERVED)
    suffix = ".png" if page is not None else PurePath(stored).suffix.lower()
    return Opened(case=case, material=row, earlier=earlier, stored_name=stored, path=path,
                  content_type=content_type(f"x{suffix}"),
                  download_name=f"{row.name}{f'-第{page}页' if page else ''}{suffix}")  # fmt: skip


def _path(stored: str, page: int | None) -> Path | None:
    if not default_storage.exists(stored):
        return None
    if page is None:
        return Path(default_storage.path(stored))
    if not is_pdf(stored):
        return None
    thumbnails.render(Path(default_storage.path(stored)), stored)
    return thumbnails.page_path(stored, page)


def pages_of(stored_name: str) -> tuple[int, int | None]:
    """(thumbnails shown, pages in the PDF) of a stored PDF, rendering them on first sight."""
    if not stored_name or not is_pdf(stored_name) or not default_storage.exists(stored_name):
        return 0, None
    return thumbnails.render(Path(default_storage.path(stored_name)), stored_name)


def reads_of(case: Case, limit: int = READS_SHOWN) -> list[MaterialRead]:
    """查阅记录 of a case, newest first (the case page's section)."""
    return list(
        MaterialRead.objects.filter(case=case)
        .select_related("user", "material")
        .order_by("-at", "-pk")[:limit]
    )


def earlier_files(material: CaseMaterial) -> list[MaterialFile]:
    return list(material.earlier_files.select_related("replaced_by").order_by("pk"))
