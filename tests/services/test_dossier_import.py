"""Import: aliases, formats, per-row validation, rejected rows, partitions, idempotence."""

from __future__ import annotations

import csv
import datetime as dt
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.services.helpers import dossier, make_store, write_catalogue, write_rows

from cchc.services.importer import ImportError_, Store, import_file, load_catalogue, reason_vi
from cchc.services.schema import canonical_name

VI_HEADERS = ["MaHoSo", "MaDonVi", "MaDonViCha", "MaTTHC", "KenhThucHien", "TrangThaiHoSo", "NgayNopHoSo",
              "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "DuocThanhToanTrucTuyen"]


def _vi_file(path, rows):  # noqa: ANN001, ANN202
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(VI_HEADERS)
        w.writerows(rows)
    return path


def _stored(store: Store) -> list[dict]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{store.glob()}', hive_partitioning = true) ORDER BY dossier_id"
                      ).df().to_dict("records")


def test_vietnamese_aliases_and_date_formats(tmp_path) -> None:  # noqa: ANN001
    assert canonical_name("NgayHenTra") == "due_at"
    assert canonical_name(" trang_thai_ho_so ") == "status"  # case, spaces and underscores do not matter
    assert canonical_name("TrangThai") is None
    assert canonical_name("TRANGTHAIHOSO") == "status"
    f = _vi_file(tmp_path / "a.csv", [
        ["H1", "U1", "D1", "P1", "2", "10", "01/03/2024 08:00", "01/03/2024 09:15:00", "05/03/2024", "04/03/2024 10:00", "1"],
        ["H2", "U1", "D1", "P1", "", "4", "", "2024-03-02T09:00:00", "", "", ""],
    ])
    store = Store(tmp_path / "s")
    res = import_file(f, store)
    assert (res.accepted, res.rejected) == (2, 0)
    rows = _stored(store)
    assert str(rows[0]["received_at"]) == "2024-03-01 09:15:00"
    assert str(rows[0]["due_at"]) == "2024-03-05 00:00:00"
    assert rows[1]["channel"] == 1  # missing channel = in person
    assert rows[0]["paid_online"] == 1


def test_iso_times_with_a_zone_become_local_time(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, received_at="2024-03-15T01:30:00Z"), dossier(2, received_at="2024-03-15T08:30:00+07:00"),
            dossier(3, received_at="2024-03-15"), dossier(4, received_at="2024-03-15T08:30:00+0700")]
    store = Store(tmp_path / "s")
    res = import_file(write_rows(tmp_path / "z.csv", rows), store)
    assert res.rejected == 0, res.problems
    got = [str(r["received_at"]) for r in _stored(store)]
    assert got == ["2024-03-15 08:30:00", "2024-03-15 08:30:00", "2024-03-15 00:00:00", "2024-03-15 08:30:00"]


def test_every_problem_is_reported_with_row_column_value_reason(tmp_path) -> None:  # noqa: ANN001
    cat = load_catalogue(write_catalogue(tmp_path / "cat.csv"))
    rows = [
        dossier(1),
        dossier(2, received_at="2024-02-30 09:00:00"),                       # unparseable date
        dossier(3, status=12),                                              # unknown status code
        dossier(4, channel=7),                                              # unknown channel
        dossier(5, status=10, finished_at="2024-03-01 09:00:00"),           # finished before received
        dossier(1, status=4),                                               # duplicate id
        dossier(6, procedure_code="NOPE"),                                  # unknown procedure
        dossier(7, unit_code=""),                                           # missing required value
        dossier(8, status=9),                                               # completed without end time
        dossier(9, fee_required="maybe"),                                   # not a flag
    ]
    store = Store(tmp_path / "s")
    res = import_file(write_rows(tmp_path / "in.csv", rows), store, catalogue=cat)
    assert res.accepted == 1 and res.rejected == 9
    got = {(p.row, p.column, p.reason.split(" (")[0]) for p in res.problems}
    assert got >= {
        (2, "received_at", "unparseable date"),
        (3, "status", "unknown code"),
        (4, "channel", "unknown code"),
        (5, "finished_at", "finished before received"),
        (6, "dossier_id", "duplicate dossier id in the file"),
        (7, "procedure_code", "unknown procedure code"),
        (8, "unit_code", "missing value"),
        (9, "finished_at", "completed status without finished_at or returned_at"),
        (10, "fee_required", "not a yes/no flag"),
    }
    assert all(p.file.endswith("in.csv") for p in res.problems)
    dup = next(p for p in res.problems if p.column == "dossier_id")
    assert dup.value == "H1" and "first at row 1" in dup.reason
    assert dup.reason_vi == "mã hồ sơ trùng trong tệp (lần đầu ở dòng 1)"
    assert all(p.reason_vi != p.reason for p in res.problems)  # every reason has Vietnamese wording
    assert {"row": 2, "column": "received_at", "reason_vi": "ngày giờ không đọc được"}.items() <= next(
        p for p in res.to_dict()["problems"] if p["column"] == "received_at" and p["row"] == 2).items()
    with open(res.rejected_path, encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert [r["_row"] for r in rejected] == [str(i) for i in range(2, 11)]
    assert "unparseable date" in rejected[0]["_reasons"]
    assert rejected[0]["received_at"] == "2024-02-30 09:00:00"  # the original value is kept


def test_accepted_rows_are_partitioned_by_year_and_month(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, received_at="2024-01-15 09:00:00"), dossier(2, received_at="2024-03-04 09:00:00"),
            dossier(3, received_at="2025-03-04 09:00:00"),
            dossier(4, status=1, received_at=None, submitted_at="2025-04-01 08:00:00")]
    store = Store(tmp_path / "s")
    import_file(write_rows(tmp_path / "in.csv", rows), store)
    parts = sorted(str(p.relative_to(store.dossiers_dir).parent) for p in store.dossiers_dir.rglob("*.parquet"))
    assert parts == ["year=2024/month=1", "year=2024/month=3", "year=2025/month=3", "year=2025/month=4"]


def test_reimport_of_the_same_file_is_idempotent(tmp_path) -> None:  # noqa: ANN001
    f = write_rows(tmp_path / "in.csv", [dossier(1), dossier(2)])
    store = Store(tmp_path / "s")
    first = import_file(f, store)
    again = import_file(f, store)
    assert first.accepted == 2 and again.skipped and again.accepted == 0
    assert len(_stored(store)) == 2
    # a different file carrying an already-imported id: that row is rejected, not duplicated
    g = write_rows(tmp_path / "in2.csv", [dossier(2), dossier(3)])
    res = import_file(g, store)
    assert (res.accepted, res.rejected) == (1, 1)
    assert "already in the store" in res.problems[0].reason
    assert [r["dossier_id"] for r in _stored(store)] == ["H1", "H2", "H3"]
    assert len(store.manifest()) == 2


def test_parquet_and_jsonl_inputs(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, status=10, finished_at="2024-03-05 10:00:00", due_at="2024-03-08 17:00:00"),
            dossier(2, status=4)]
    table = pa.table({
        "MaHoSo": ["H1", "H2"], "MaDonVi": ["U1", "U1"], "MaTTHC": ["WD5", "WD5"], "TrangThaiHoSo": [10, 4],
        "NgayTiepNhan": pa.array([pa.scalar(0)] * 2).cast(pa.int64()).cast(pa.timestamp("s")),
        "NgayKetThucXuLy": pa.array([1_000_000, None], type=pa.int64()).cast(pa.timestamp("s")),
        "CoPhieuXinLoi": [True, False],
    })
    pq.write_table(table, tmp_path / "a.parquet")
    s1 = Store(tmp_path / "s1")
    res = import_file(tmp_path / "a.parquet", s1)
    assert (res.accepted, res.rejected) == (2, 0)
    got = _stored(s1)
    assert str(got[0]["finished_at"]) == "1970-01-12 13:46:40" and got[0]["apology_issued"] is True
    with open(tmp_path / "b.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    s2 = Store(tmp_path / "s2")
    res = import_file(tmp_path / "b.jsonl", s2)
    assert (res.accepted, res.rejected) == (2, 0)
    assert str(_stored(s2)[0]["due_at"]) == "2024-03-08 17:00:00"


def test_unreadable_or_incomplete_files_fail_whole(tmp_path) -> None:  # noqa: ANN001
    store = Store(tmp_path / "s")
    with pytest.raises(ImportError_, match="no such file"):
        import_file(tmp_path / "missing.csv", store)
    (tmp_path / "x.txt").write_text("a,b\n")
    with pytest.raises(ImportError_, match="unknown format"):
        import_file(tmp_path / "x.txt", store)
    (tmp_path / "m.csv").write_text("MaHoSo,MaDonVi\nH1,U1\n")
    with pytest.raises(ImportError_, match=r"missing required column\(s\): procedure_code .*status") as err:
        import_file(tmp_path / "m.csv", store)
    assert err.value.vi == (f"{tmp_path / 'm.csv'}: thiếu cột bắt buộc: procedure_code (hoặc MaTTHC / MaThuTuc); "
                            "status (hoặc TrangThaiHoSo / TrangThaiHoSoId)")  # and in Vietnamese


def test_catalogue_with_vietnamese_units_and_errors(tmp_path) -> None:  # noqa: ANN001
    cat = load_catalogue(write_catalogue(tmp_path / "c.csv"))
    assert cat["time_unit"].to_pylist() == ["working_days", "working_days", "hours", "days", "months"]
    assert cat["online_level"].to_pylist() == ["full", "partial", "none", "full", "partial"]
    bad = write_catalogue(tmp_path / "bad.csv", [("A", "a", 5, "tuần", 0, "full", 1, 1),
                                                 ("A", "a", 5, "ngày", 0, "full", 1, 1)])
    with pytest.raises(ImportError_, match=r"time_unit 'tuần'[\s\S]*duplicate procedure_code A"):
        load_catalogue(bad)


def test_replace_updates_a_dossier_from_a_later_export(tmp_path) -> None:  # noqa: ANN001
    store = Store(tmp_path / "s")
    import_file(write_rows(tmp_path / "jan.csv", [dossier(1), dossier(2, received_at="2024-04-02 09:00:00")]), store)
    later = write_rows(tmp_path / "feb.csv", [dossier(1, status=10, finished_at="2024-03-06 10:00:00"), dossier(3)])
    res = import_file(later, store, replace=True)
    assert (res.accepted, res.rejected, res.replaced) == (2, 0, 1)
    rows = {r["dossier_id"]: r for r in _stored(store)}
    assert sorted(rows) == ["H1", "H2", "H3"]
    assert rows["H1"]["status"] == 10 and str(rows["H1"]["finished_at"]) == "2024-03-06 10:00:00"
    assert store.manifest()[-1]["replaced"] == 1


def test_rederive_after_a_calendar_change(tmp_path) -> None:  # noqa: ANN001
    from cchc.services.calendar import WorkingCalendar, load_overrides

    cat = load_catalogue(write_catalogue(tmp_path / "cat.csv"))
    store = Store(tmp_path / "s")
    # WD2 received Friday 2027-01-08: + 2 working days = Tuesday 12/01 … unless Monday 11/01 becomes a day off
    import_file(write_rows(tmp_path / "a.csv", [dossier(1, procedure_code="WD2", received_at="2027-01-08 09:00:00")]),
                store, catalogue=cat)
    assert str(_stored(store)[0]["due_effective_at"]) == "2027-01-12 23:59:59"
    ov = tmp_path / "o.yaml"
    ov.write_text("years:\n  2027:\n    days_off:\n      - {date: 2027-01-11, name: test, source: test}\n")
    assert store.rederive(calendar=WorkingCalendar(2026, 2029, load_overrides(ov))) == 1
    row = _stored(store)[0]
    assert str(row["due_effective_at"]) == "2027-01-13 23:59:59"
    assert row["due_s"] == int(dt.datetime(2027, 1, 13, 23, 59, 59).replace(tzinfo=dt.UTC).timestamp())  # rules too
    assert row["limit_unit"] == "working_days" and row["year"] == 2027
    # without a kept catalogue, the catalogue columns already on the records are used
    store.catalogue_path.unlink()
    assert store.rederive() == 1
    assert str(_stored(store)[0]["due_effective_at"]) == "2027-01-12 23:59:59"  # shipped calendar again


def test_store_from_before_the_rule_columns(tmp_path) -> None:  # noqa: ANN001
    """Files written without the rule columns: computed on the fly when none has them; a clear message when
    only some have them; ``rederive`` adds them and gives the same numbers."""
    from cchc.services.indicators import compute
    from cchc.services.rules import RULE_COLUMN_NAMES

    rows = [dossier(1, procedure_code="WD2", status=10, finished_at="2024-03-06 10:00:00"),
            dossier(2, procedure_code="WD2", status=4)]
    root = make_store(tmp_path, rows)
    before = compute(root, period="month").records()
    files = sorted((root / "dossiers").rglob("*.parquet"))
    for f in files:  # as an older version wrote them
        t = pq.read_table(f, partitioning=None)
        pq.write_table(t.drop_columns(list(RULE_COLUMN_NAMES)), f)
    assert compute(root, period="month").records() == before
    cat = load_catalogue(tmp_path / "cat.csv")
    import_file(write_rows(tmp_path / "b.csv", [dossier(3, procedure_code="WD2", status=4)]), Store(root), catalogue=cat)
    with pytest.raises(ValueError, match="rederive"):
        compute(root, period="month")
    assert Store(root).rederive() == 3
    assert len(compute(root, period="month", levels=("province",)).records()) == 1


def test_every_import_reason_has_vietnamese_wording() -> None:
    """Every reason the importer can give (the literals in its source) has a Vietnamese wording."""
    import re
    from pathlib import Path

    from cchc.services import importer

    source = Path(importer.__file__).read_text(encoding="utf-8")
    literals = set(re.findall(r"'([a-z][a-z_ /()]+(?:\(allowed: \{allowed\}\))?)'\) END", source))
    literals |= {c for c in importer._reason.__code__.co_consts if isinstance(c, str)} - {"timestamp", "float", "int", "bool"}
    literals.add("duplicate dossier id in the file (first at row 12)")
    assert len(literals) >= 15
    for reason in literals:
        reason = reason.replace("{allowed}", "1, 2, 3")
        assert importer.reason_vi(reason) != reason, reason
    assert importer.reason_vi("unknown code (allowed: 1, 2, 3)") == "mã không hợp lệ (cho phép: 1, 2, 3)"
    assert importer.reason_vi("something new") == "something new"


def _state(store: Store) -> tuple:
    """What a reader sees: every stored record's (id, status, month), the manifest's files, the catalogue."""
    recs = sorted((r["dossier_id"], r["status"], r["month"]) for r in _stored(store))
    cat = store.catalogue()
    return recs, [e["file"] for e in store.manifest()], None if cat is None else cat.num_rows


def _two_exports(tmp_path):  # noqa: ANN001, ANN202
    """March's export, and April's: a new status for H2 (replace) and new dossiers in two months."""
    march = write_rows(tmp_path / "march.csv", [dossier(1), dossier(2), dossier(3, received_at="2024-02-20 09:00:00")])
    april = write_rows(tmp_path / "april.csv", [
        dossier(2, status=10, finished_at="2024-03-08 10:00:00"),
        dossier(4, received_at="2024-04-02 09:00:00"), dossier(5, received_at="2024-04-03 09:00:00")])
    return march, april


def test_an_import_that_dies_before_its_commit_changes_nothing(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    march, april = _two_exports(tmp_path)
    store = Store(tmp_path / "s")
    import_file(march, store)
    before = _state(store)
    real = Store.stage_rows

    def dies(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202 - the new rows are staged, then the process dies
        real(self, *a, **kw)
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "stage_rows", dies)
    cat = load_catalogue(write_catalogue(tmp_path / "cat.csv"))
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(april, store, replace=True, catalogue=cat)
    assert _state(store) == before  # H2's old record is still there, no April rows, no catalogue, no manifest entry
    assert store.staging_dir.exists()
    monkeypatch.undo()
    res = import_file(april, store, replace=True, catalogue=cat)  # the next import discards the staged files
    assert (res.accepted, res.rejected, res.replaced) == (3, 0, 1)
    recs, files, cat_rows = _state(store)
    assert recs == [("H1", 4, 3), ("H2", 10, 3), ("H3", 4, 2), ("H4", 4, 4), ("H5", 4, 4)]
    assert files == [str(march), str(april)] and cat_rows == len(cat)
    assert not store.staging_dir.exists() and not store.journal_path.exists()


@pytest.mark.parametrize("finisher", ["writer", "reader"])
def test_a_commit_cut_short_is_finished_by_the_next_writer_or_reader(tmp_path, monkeypatch, finisher) -> None:  # noqa: ANN001
    import os

    from cchc.services.indicators import connect_store

    march, april = _two_exports(tmp_path)
    store = Store(tmp_path / "s")
    import_file(march, store)
    real_replace, calls = os.replace, []

    def dies_on_the_second_move(src, dst):  # noqa: ANN001, ANN202 - call 1 writes the journal, call 2 moves a file
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_the_second_move)
    with pytest.raises(OSError, match="power cut"):
        import_file(april, store, replace=True)
    monkeypatch.undo()
    assert store.journal_path.exists()  # committed, but only one file moved
    if finisher == "writer":
        assert Store(store.root).recover() == "finished"
    else:  # any reader of the store (CLI indicators, late list, pages)
        connect_store(store.root)
        assert not store.interrupted()
    recs, files, _ = _state(store)
    assert recs == [("H1", 4, 3), ("H2", 10, 3), ("H3", 4, 2), ("H4", 4, 4), ("H5", 4, 4)]
    assert files == [str(march), str(april)]
    assert import_file(april, store, replace=True).skipped  # recorded in the manifest: not imported twice
    assert Store(store.root).recover() is None


def test_reasons_come_in_a_fixed_order(tmp_path) -> None:  # noqa: ANN001
    """Two reasons for one cell (an unreadable received_at is also a missing one) come in the order of the
    checks, row after row — in the problems, their Vietnamese wording and the rejected file alike."""
    rows = [dossier(i, received_at="2024-02-30 09:00:00") for i in range(1, 201)]
    res = import_file(write_rows(tmp_path / "in.csv", rows), Store(tmp_path / "s"), max_problems=1000)
    expected = ["unparseable date", "neither received_at nor submitted_at"]
    assert [(p.row, p.column, p.reason) for p in res.problems] == [
        (r, "received_at", reason) for r in range(1, 201) for reason in expected]
    assert res.problems[0].reason_vi == "ngày giờ không đọc được"
    assert [p.reason_vi for p in res.problems[:2]] == [reason_vi(r) for r in expected]
    with open(res.rejected_path, encoding="utf-8") as f:
        assert all(r["_reasons"].index("unparseable date") < r["_reasons"].index("neither") for r in csv.DictReader(f))
    few = import_file(write_rows(tmp_path / "few.csv", rows[:3] + [dossier(999)]), Store(tmp_path / "t"), max_problems=3)
    assert [(p.row, p.reason) for p in few.problems] == [(1, expected[0]), (1, expected[1]), (2, expected[0])]


def test_a_unit_code_not_of_the_province_is_rejected_with_a_located_reason(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1), dossier(2, unit_code="U9"), dossier(3, unit_code="U2"), dossier(4, unit_code="")]
    store = Store(tmp_path / "s")
    res = import_file(write_rows(tmp_path / "in.csv", rows), store, unit_codes=["U1", "U2"])
    assert (res.accepted, res.rejected) == (2, 2)
    unknown = [p for p in res.problems if p.row == 2]
    assert [(p.column, p.value, p.reason) for p in unknown] == [
        ("unit_code", "U9", "unknown unit code (not a unit of the province)")]
    assert unknown[0].reason_vi == "mã đơn vị không phải đơn vị của tỉnh"
    assert [(p.row, p.reason) for p in res.problems if p.row == 4] == [(4, "missing value")]  # not twice
    assert sorted(r["unit_code"] for r in _stored(store)) == ["U1", "U2"]  # never a new unit in the store
    # without the province's units (the command line), any unit code is accepted as before
    free = import_file(write_rows(tmp_path / "in2.csv", [dossier(5, unit_code="U9")]), Store(tmp_path / "t"))
    assert (free.accepted, free.rejected) == (1, 0)
    # a province without units rejects every row: import the units first
    none = import_file(write_rows(tmp_path / "in3.csv", [dossier(6)]), Store(tmp_path / "u"), unit_codes=[])
    assert none.rejected == 1 and none.problems[0].reason.startswith("unknown unit code")
