"""Document-agnostic building blocks: a report is sections of headings, paragraphs, tables and charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Format = Literal["text", "int", "num", "pct", "signed", "signed_int"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["body", "note", "bullet"] = "body"


@dataclass(frozen=True)
class Table:
    title: str
    sheet: str  # XLSX sheet name (≤ 31 characters)
    header: list[str]
    rows: list[list[Any]]
    formats: list[Format]
    note: str | None = None


@dataclass(frozen=True)
class Chart:
    name: str  # file stem
    spec: dict[str, Any]  # Vega-Lite
    caption: str
    width_cm: float = 15.0


Block = Paragraph | Table | Chart


@dataclass
class Section:
    """A numbered part of a report. ``kind`` names what it reports on, for callers that pick sections: the
    builder's module sets it (``"national"``, ``"internal"``, ``"surveys"``, ``"services"``, ``"steering"``);
    filter on it, never on the title's wording."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    available: bool = True
    kind: str = ""


@dataclass(frozen=True)
class DocumentMeta:
    """The official-format frame (Decree 30/2020/NĐ-CP) around the body."""

    issuer_parent: str = "UBND TỈNH"
    issuer: str = "BAN CHỈ ĐẠO CẢI CÁCH HÀNH CHÍNH"
    number: str = "Số:       /BC-BCĐ"
    place: str = ""
    date_text: str = "ngày      tháng      năm"
    title: str = "BÁO CÁO"
    subtitle: str = ""
    recipients: tuple[str, ...] = ("Như trên;", "Lưu: VT.")
    signer_title: str = "TRƯỞNG BAN"
    signer_name: str = ""


@dataclass
class Report:
    meta: DocumentMeta
    sections: list[Section]
    intro: list[Paragraph] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
