"""The dossier record schema (hồ sơ TTHC): canonical columns, types and Vietnamese portal aliases.

Columns are English snake_case. Every column accepts the field names used by the National Public Service
Portal and provincial one-stop-shop systems (``MaHoSo``, ``TrangThaiHoSo``, ``NgayTiepNhan`` …) as aliases;
see ``docs/formats/dossiers.md``. Timestamps are naive local time (Asia/Ho_Chi_Minh).

This module is pure data: no I/O.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cchc.services.rules import RULE_COLUMNS


@dataclass(frozen=True)
class Column:
    """One dossier column: canonical name, logical type, aliases and meaning."""

    name: str
    kind: str  # "str" | "int" | "float" | "bool" | "timestamp"
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    allowed: tuple[int, ...] | None = None  # allowed integer codes


STATUS_CODES: dict[int, str] = {
    1: "new",  # Mới đăng ký
    2: "received",  # Được tiếp nhận
    3: "refused",  # Không được tiếp nhận
    4: "in_process",  # Đang xử lý
    5: "supplement_requested",  # Yêu cầu bổ sung giấy tờ
    6: "fee_requested",  # Yêu cầu thực hiện nghĩa vụ tài chính
    7: "withdrawn",  # Công dân yêu cầu rút hồ sơ
    8: "stopped",  # Dừng xử lý
    9: "completed",  # Đã xử lý xong
    10: "returned",  # Đã trả kết quả
}
"""Status codes from ``766_dossier_status_codes.csv`` (portal TrangThaiHoSo)."""

NOT_RECEIVED_STATUSES: tuple[int, ...] = (1, 3)
"""New (not yet received) and refused at reception: never counted as received."""

COMPLETED_STATUSES: tuple[int, ...] = (9, 10)
"""Completed / result returned: used for the average processing time (2.2)."""

CHANNELS: dict[int, str] = {1: "in_person", 2: "online", 3: "postal"}
"""KenhThucHien: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích; missing = in person."""

PROCEDURE_LEVELS: tuple[str, ...] = ("full", "partial", "none")
"""Online service level of the procedure used for the dossier (toàn trình / một phần / không)."""

COLUMNS: tuple[Column, ...] = (
    Column("dossier_id", "str", "Dossier code (mã hồ sơ)", ("MaHoSo", "SoHoSo"), required=True),
    Column("unit_code", "str", "Receiving/processing unit (agency or commune)", ("MaDonVi", "DonViXuLy"), required=True),
    Column("parent_unit_code", "str", "Parent unit (district/department/province)", ("MaDonViCha", "MaDonViCapTren")),
    Column("procedure_code", "str", "Procedure code (mã TTHC)", ("MaTTHC", "MaThuTuc"), required=True),
    Column("procedure_level", "str", "Online level used: full / partial / none", ("MucDo", "MucDoDVC")),
    Column("channel", "int", "1 in person, 2 online, 3 postal (missing = 1)", ("KenhThucHien",), allowed=(1, 2, 3)),
    Column("status", "int", "Status code 1-10", ("TrangThaiHoSo", "TrangThaiHoSoId"), required=True,
           allowed=tuple(STATUS_CODES)),
    Column("submitted_at", "timestamp", "Submission time", ("NgayNopHoSo",)),
    Column("received_at", "timestamp", "Reception time, start of processing", ("NgayTiepNhan",)),
    Column("due_at", "timestamp", "Appointment date for the result", ("NgayHenTra",)),
    Column("finished_at", "timestamp", "End of processing", ("NgayKetThucXuLy",)),
    Column("returned_at", "timestamp", "Result returned to applicant", ("NgayTraKetQua",)),
    Column("supplement_count", "int", "Number of supplement requests", ("SoLanYeuCauBoSung",)),
    Column("supplement_requested_at", "timestamp", "First supplement request", ("NgayYeuCauBoSung",)),
    Column("supplement_completed_at", "timestamp", "Citizen completed the supplement", ("NgayHoanThanhBoSung",)),
    Column("supplement_wait_hours", "float", "Total supplement waiting time in hours", ("ThoiGianChoBoSung",)),
    Column("fee_required", "bool", "Dossier carries a non-zero fee", ("CoPhiLePhi",)),
    Column("paid_online", "int", "DuocThanhToanTrucTuyen: 0 no, 1 national portal, 2 local gateway",
           ("DuocThanhToanTrucTuyen",), allowed=(0, 1, 2)),
    Column("digitised_components", "bool", "Dossier components digitised", ("SoHoaThanhPhan",)),
    Column("electronic_result", "bool", "Electronic result file attached", ("CoKetQuaDienTu", "DuongDanTepTinKetQua")),
    Column("reused_digitised_data", "bool", "A component reused digitised data",
           ("HoSoCoThanhPhanSoHoa", "DuocSoHoa")),
    Column("data_store_linked", "bool", "Component from / result to the citizen's data store",
           ("DuocLayTuKhoDMQG",)),
    Column("population_data_used", "bool", "Population database / VNeID data used",
           ("SuDungCSDLDanCu", "TaiKhoanDuocXacThucVoiVNeID")),
    Column("synced_to_portal", "bool", "Status synchronised to the National Public Service Portal",
           ("DongBoDVCQG",)),
    Column("apology_issued", "bool", "Apology slip with new appointment issued", ("CoPhieuXinLoi",)),
    Column("rating", "int", "Citizen rating: -1 dissatisfied, 0 none/neutral, 1 satisfied", ("DanhGia",),
           allowed=(-1, 0, 1)),
    Column("has_feedback", "bool", "A petition/feedback (PAKN) about this dossier exists", ("CoPAKN",)),
)

COLUMN_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
TIMESTAMP_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "timestamp")


def _key(name: str) -> str:
    """Normalise a header for alias matching: NFC, case-folded, no spaces/underscores/dots."""
    s = unicodedata.normalize("NFC", name).strip().casefold()
    return "".join(ch for ch in s if ch not in " _.-")


ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    ALIASES[_key(_c.name)] = _c.name
    for _a in _c.aliases:
        ALIASES[_key(_a)] = _c.name


def canonical_name(header: str) -> str | None:
    """Return the canonical column for a header (canonical or alias), or ``None`` if unknown.

    >>> canonical_name("NgayHenTra"), canonical_name("due_at"), canonical_name("foo")
    ('due_at', 'due_at', None)
    """
    return ALIASES.get(_key(header))


def rename_map(headers: list[str]) -> dict[str, str]:
    """Map each known header to its canonical name (unknown headers are left out)."""
    out: dict[str, str] = {}
    for h in headers:
        c = canonical_name(h)
        if c is not None:
            out[h] = c
    return out


CATALOGUE_COLUMNS: tuple[Column, ...] = (
    Column("procedure_code", "str", "Procedure code (mã TTHC)", ("MaTTHC", "MaThuTuc", "code"), required=True),
    Column("procedure_name", "str", "Procedure name", ("TenTTHC", "TenThuTuc", "name")),
    Column("time_limit", "float", "Legal time limit (thời hạn giải quyết)", ("ThoiHanGiaiQuyet", "ThoiGianGiaiQuyet")),
    Column("time_unit", "str", "Unit of the time limit: hours, days, working_days, months", ("DonViTinh",)),
    Column("fee", "float", "Fee or charge in VND (0 = none)", ("PhiLePhi", "Gia")),
    Column("online_level", "str", "Online service offered: full / partial / none", ("MucDoDVC", "MucDo")),
    Column("result_required", "bool", "The procedure issues a documentary result", ("CoKetQua", "YeuCauKetQua")),
    Column("individual_subjects", "bool", "Target subjects include individuals (for 4.5a)", ("DoiTuongCaNhan",)),
)
"""Procedure catalogue (danh mục TTHC) columns with aliases."""

CATALOGUE_ALIASES: dict[str, str] = {}
for _c in CATALOGUE_COLUMNS:
    CATALOGUE_ALIASES[_key(_c.name)] = _c.name
    for _a in _c.aliases:
        CATALOGUE_ALIASES[_key(_a)] = _c.name

DERIVED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("due_effective_at", "timestamp", "Due date used by the rules: due_at, else received_at + legal limit"),
    ("due_source", "str", "given | computed | none"),
    ("limit_value", "float", "Legal time limit copied from the catalogue"),
    ("limit_unit", "str", "Unit of the legal time limit copied from the catalogue"),
    ("catalogue_online_level", "str", "Online level of the procedure in the catalogue"),
    ("catalogue_fee", "float", "Fee of the procedure in the catalogue"),
    ("result_required", "bool", "Procedure issues a documentary result (catalogue)"),
    ("individual_subjects", "bool", "Procedure targets individuals (catalogue)"),
    ("source_file_hash", "str", "SHA-256 (first 16 hex) of the imported file"),
    ("source_row", "int", "1-based record number in the imported file"),
    ("year", "int", "Partition: year of received_at (else submitted_at)"),
    ("month", "int", "Partition: month of received_at (else submitted_at)"),
    # per-dossier rule results, evaluated at import (described once, in cchc.services.rules.RULE_COLUMNS)
    *((name, "bool" if kind == "bool" else "int", text) for name, kind, text in RULE_COLUMNS),
)
"""Columns added by the importer; stored next to the record columns in the Parquet store."""


def catalogue_name(header: str) -> str | None:
    """Canonical catalogue column for a header (canonical or alias), or ``None``."""
    return CATALOGUE_ALIASES.get(_key(header))


TIME_UNITS: tuple[str, ...] = ("hours", "days", "working_days", "months")

TIME_UNIT_ALIASES: dict[str, str] = {
    "hours": "hours", "hour": "hours", "giờ": "hours", "gio": "hours",
    "days": "days", "day": "days", "ngày": "days", "ngay": "days",
    "working_days": "working_days", "working days": "working_days", "ngày làm việc": "working_days",
    "ngay lam viec": "working_days",
    "months": "months", "month": "months", "tháng": "months", "thang": "months",
}


def normalise_time_unit(value: str) -> str | None:
    """Map a catalogue time unit (English or Vietnamese) to one of :data:`TIME_UNITS`."""
    return TIME_UNIT_ALIASES.get(unicodedata.normalize("NFC", str(value)).strip().casefold())
