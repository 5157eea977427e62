"""Page thumbnails of an uploaded PDF (材料在线查阅), rendered by poppler's pdftoppm
(scripts/system-packages.sh installs poppler-utils) and cached beside the media files.

A PDF comes from the public: the rendering is bounded so a hostile file cannot eat the server —
at most MAX_PAGES pages, each at most MAX_SIDE_PX on its longer side, in a child process with a
wall-clock timeout, a CPU-time limit and an address-space limit. A file that fails any of them
has no thumbnails (the page then offers the original only); the failure is cached too, so a bad
file is tried once."""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

MAX_PAGES = 12
MAX_SIDE_PX = 480
TIMEOUT_SECONDS = 20
CPU_SECONDS = 15
MEMORY_BYTES = 768 * 1024 * 1024
FAILED = "failed"


def _limits():  # pragma: no cover - runs in the child process
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _run(args: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            args, capture_output=True, timeout=TIMEOUT_SECONDS, preexec_fn=_limits, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def cache_dir(stored_name: str) -> Path:
    """Where the thumbnails of one stored file are kept (a hash of its name: the stored names are
    random already, and a name never holds a new file — a supplement stores a new one)."""
    digest = hashlib.sha256(stored_name.encode()).hexdigest()[:32]
    return Path(settings.MEDIA_ROOT) / "thumbnails" / digest


def page_count(pdf: Path) -> int | None:
    done = _run(["pdfinfo", str(pdf)])
    if done is None or done.returncode != 0:
        return None
    found = re.search(rb"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
    return int(found.group(1)) if found else None


def render(pdf: Path, stored_name: str) -> tuple[int, int | None]:
    """(thumbnails available, pages in the PDF or None when unknown), rendering them once."""
    target = cache_dir(stored_name)
    if not target.exists():
        _render_into(pdf, target)
    if (target / FAILED).exists():
        return 0, None
    pages = sorted(target.glob("p*.png"))
    total = (target / "pages").read_text() if (target / "pages").exists() else ""
    return len(pages), int(total) if total.isdigit() else None


def _render_into(pdf: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".rendering-"))
    try:
        total = page_count(pdf)
        done = _run(["pdftoppm", "-png", "-f", "1", "-l", str(MAX_PAGES), "-scale-to", str(MAX_SIDE_PX),
                     str(pdf), str(work / "out")])  # fmt: skip
        images = sorted(work.glob("out-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if done is None or done.returncode != 0 or not images:
            for image in images:
                image.unlink()
            (work / FAILED).write_text("")
        else:
            for number, image in enumerate(images[:MAX_PAGES], start=1):
                image.rename(work / f"p{number}.png")
            (work / "pages").write_text(str(total or ""))
        try:
            os.rename(work, target)  # atomic: two first views render twice, one result is kept
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def page_path(stored_name: str, page: int) -> Path | None:
    """The cached thumbnail of page `page` (from 1), or None."""
    if not 1 <= page <= MAX_PAGES:
        return None
    path = cache_dir(stored_name) / f"p{page}.png"
    return path if path.exists() else None
