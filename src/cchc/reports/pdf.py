"""PDF through LibreOffice headless, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class PdfUnavailable(RuntimeError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: str | Path, out_dir: str | Path, timeout: float = 180) -> Path:
    """Convert a DOCX to PDF next to it; raise :class:`PdfUnavailable` with a clear message otherwise."""
    binary = soffice()
    if binary is None:
        raise PdfUnavailable(
            "LibreOffice is not installed, so no PDF was made (the DOCX is complete). "
            "Install it with: sudo apt-get install libreoffice-writer-nogui — or run scripts/install-system-deps.sh"
        )
    out_dir = Path(out_dir)
    profile = out_dir / ".lo-profile"
    result = subprocess.run(
        [binary, f"-env:UserInstallation=file://{profile.resolve()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    pdf = out_dir / (Path(docx).stem + ".pdf")
    if result.returncode != 0 or not pdf.exists():
        raise PdfUnavailable(f"LibreOffice could not convert {docx}: {result.stderr.strip() or result.stdout.strip()}")
    return pdf
