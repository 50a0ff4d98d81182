"""``cchc dossiers …`` through Typer's test runner; synthetic data determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.services.helpers import dossier, write_catalogue, write_rows
from typer.testing import CliRunner

from cchc.cli.dossiers import app
from cchc.services.indicators import compute
from cchc.services.synth import SynthSpec, catalogue, generate

runner = CliRunner()


def run(*args: str):  # noqa: ANN202
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory) -> str:  # noqa: ANN001
    out = tmp_path_factory.mktemp("cli") / "store"
    r = run("synth", out, "--rows", "3000", "--units", "12", "--seed", "3", "--start", "2024-01-01",
            "--end", "2024-12-31")
    assert r.exit_code == 0, r.output
    return str(out)


def test_indicators_json_one_object_per_unit_and_period(synth_store: str) -> None:
    r = run("indicators", synth_store, "--period", "quarter", "--json")
    assert r.exit_code == 0, r.output
    recs = json.loads(r.stdout)
    keys = {(x["level"], x["unit"], x["period"]) for x in recs}
    assert len(keys) == len(recs)
    assert {x["period"] for x in recs} == {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}
    assert {x["level"] for x in recs} == {"unit", "parent", "province"}
    one = recs[0]
    assert {"indicators", "groups", "total_points", "on_time", "max_points_computable"} <= set(one)
    computed = [i for i in one["indicators"] if i["computable"]]
    assert all({"numerator", "denominator", "rate", "points"} <= set(i) for i in computed)
    assert all("reason" in i for i in one["indicators"] if not i["computable"])


def test_indicators_unit_filter_and_table(synth_store: str) -> None:
    r = run("indicators", synth_store, "--period", "year", "--unit", "D001", "--json")
    recs = json.loads(r.stdout)
    assert [(x["level"], x["unit"]) for x in recs] == [("parent", "D001")]
    r = run("indicators", synth_store, "--period", "half", "--level", "province")
    assert r.exit_code == 0 and "2024-H2" in r.stdout and "not computable" in r.stdout
    assert "cần dữ liệu phản ánh, kiến nghị (PAKN) / needs petition (PAKN) records" in " ".join(r.stdout.split())


def test_late_json(synth_store: str) -> None:
    r = run("late", synth_store, "--period", "2024-Q2", "--json", "--limit", "5")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert 0 < len(rows) <= 5
    assert all(x["days_late"] >= 0 and "apology_issued" in x for x in rows)


@pytest.mark.parametrize("args, message", [
    (["indicators", "{store}", "--period", "week"], "--period 'week'"),
    (["indicators", "{store}", "--set", "1999"], "not a shipped set"),
    (["indicators", "{store}", "--level", "district"], "--level district"),
    (["indicators", "{store}", "--as-of", "yesterday"], "--as-of"),
    (["indicators", "/nonexistent/store"], "not a store directory"),
    (["late", "{store}", "--period", "Q2-2024"], "expected 2024"),
    (["calendar", "--year", "2025", "--calendar", "/nonexistent.yaml"], "nonexistent"),
])
def test_bad_input_exits_2(synth_store: str, args: list[str], message: str) -> None:
    r = run(*[a.format(store=synth_store) for a in args])
    assert r.exit_code == 2, r.output
    assert message in r.stderr


def test_import_cli_reports_and_is_idempotent(tmp_path) -> None:  # noqa: ANN001
    cat = write_catalogue(tmp_path / "cat.csv")
    f = write_rows(tmp_path / "in.csv", [dossier(1), dossier(2, status=99), dossier(1)])
    store = tmp_path / "s"
    r = run("import", f, "--store", store, "--catalogue", cat)
    assert r.exit_code == 0, r.output
    assert "1 accepted, 2 rejected" in r.stdout and "row 2: status = '99'" in r.stdout
    r = run("import", f, "--store", store, "--json")
    assert json.loads(r.stdout)[0]["skipped"] is True
    (tmp_path / "bad.csv").write_text("MaHoSo\nH1\n")
    r = run("import", tmp_path / "bad.csv", "--store", store)
    assert r.exit_code == 2 and "missing required column" in r.stderr and "thiếu cột bắt buộc" in r.stderr


def test_synth_csv_then_import_equals_synth_store(tmp_path) -> None:  # noqa: ANN001
    args = ["--rows", "800", "--units", "4", "--seed", "5", "--start", "2024-01-01", "--end", "2024-06-30"]
    assert run("synth", tmp_path / "d.csv", *args).exit_code == 0
    assert run("synth", tmp_path / "direct", *args).exit_code == 0
    r = run("import", tmp_path / "d.csv", "--store", tmp_path / "imported", "--catalogue", tmp_path / "d.catalogue.csv")
    assert r.exit_code == 0 and "800 accepted, 0 rejected" in r.stdout, r.stdout
    a = compute(tmp_path / "direct", period="quarter").records()
    b = compute(tmp_path / "imported", period="quarter").records()
    assert _rounded(a) == _rounded(b)


def _rounded(x):  # noqa: ANN001, ANN202
    """Floats to 9 decimals: parallel sums may differ in the last bits."""
    if isinstance(x, float):
        return round(x, 9)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


def test_calendar_and_rules_commands() -> None:
    r = run("calendar", "--year", "2025", "--json")
    data = json.loads(r.stdout)
    assert data["working_days"] == 250 and any(d["date"] == "2025-04-26" for d in data["days"])
    r = run("rules", "--json")
    names = {x["name"] for x in json.loads(r.stdout)["rules"]}
    assert "multiple_supplements_late" in names


def test_synth_is_deterministic_by_seed() -> None:
    spec = SynthSpec(rows=2000, units=5, seed=11, chunk_rows=700)
    a = [t.to_pylist() for t in generate(spec)]
    b = [t.to_pylist() for t in generate(spec)]
    c = [t.to_pylist() for t in generate(SynthSpec(rows=2000, units=5, seed=12, chunk_rows=700))]
    assert a == b and a != c
    assert catalogue(spec).equals(catalogue(SynthSpec(seed=11)))


def test_synth_with_the_provinces_own_units(tmp_path) -> None:  # noqa: ANN001
    """--unit-list: the units file of docs/formats/units.md (XLSX, Vietnamese headers) or a plain CSV."""
    import csv

    import pyarrow.parquet as pq
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["mã", "tên", "loại", "mã cấp trên"])
    for row in (["STC", "Sở Tài chính", "sở", ""], ["X001", "Xã A", "xã", ""], ["P002", "Phường B", "phường", "TP1"]):
        wb.active.append(row)
    wb.save(tmp_path / "don-vi.xlsx")
    out = tmp_path / "ho-so.parquet"
    r = run("synth", out, "--rows", "900", "--unit-list", tmp_path / "don-vi.xlsx", "--json")
    assert r.exit_code == 0, r.output
    t = pq.read_table(out, columns=["unit_code", "parent_unit_code"]).to_pylist()
    assert {(d["unit_code"], d["parent_unit_code"]) for d in t} == {("STC", None), ("X001", None), ("P002", "TP1")}

    csv_list = tmp_path / "units.csv"
    csv_list.write_text("unit_code\nA1\nA2\n", encoding="utf-8")
    r = run("synth", tmp_path / "b.csv", "--rows", "200", "--unit-list", csv_list)
    assert r.exit_code == 0, r.output
    with (tmp_path / "b.csv").open(encoding="utf-8") as fh:
        assert {row["unit_code"] for row in csv.DictReader(fh)} == {"A1", "A2"}


@pytest.mark.parametrize(("content", "message"), [
    ("name\nA1\n", "row 1: no unit code column"),
    ("code,parent\nA1,P\n,P\n", "row 3, column code: empty unit code"),
    ("mã\nA1\nA2\nA1\n", "row 4, column mã: unit code 'A1' already on row 2"),
    ("code\n", "no units listed"),
])
def test_synth_unit_list_problems_name_the_row_and_column(tmp_path, content: str, message: str) -> None:  # noqa: ANN001
    path = tmp_path / "units.csv"
    path.write_text(content, encoding="utf-8")
    r = run("synth", tmp_path / "x.csv", "--rows", "10", "--unit-list", path)
    assert r.exit_code == 2 and message in r.output and str(path) in r.output, r.output
    assert not (tmp_path / "x.csv").exists()


def test_synth_unit_list_unreadable(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "units.csv"
    bad.write_bytes("mã\nXã\n".encode("utf-16"))
    r = run("synth", tmp_path / "x.csv", "--unit-list", bad)
    assert r.exit_code == 2 and "not UTF-8" in r.output
    r = run("synth", tmp_path / "x.csv", "--unit-list", tmp_path / "missing.xlsx")
    assert r.exit_code == 2 and "file not found" in r.output
    (tmp_path / "fake.xlsx").write_text("not a workbook")
    r = run("synth", tmp_path / "x.csv", "--unit-list", tmp_path / "fake.xlsx")
    assert r.exit_code == 2 and "cannot be read as XLSX" in r.output


def test_synth_shapes(synth_store: str) -> None:
    recs = compute(synth_store, period="month", levels=("province",)).records()
    received = {r["period"]: next(i for i in r["indicators"] if i["id"] == "1.4")["denominator"] for r in recs}
    # Tết 2024 (10 February): the holiday weeks receive fewer dossiers than March
    assert received["2024-02"] < received["2024-03"]
    online = [next(i for i in r["indicators"] if i["id"] == "3.3b")["rate"] for r in recs]
    assert all(40 < x < 90 for x in online)
    on_time = np.array([next(i for i in r["indicators"] if i["id"] == "2.1")["rate"] for r in recs])
    assert (on_time > 85).all() and (on_time < 100).all()


def test_to_assessment_feeds_ratio_leaves(synth_store: str, tmp_path) -> None:  # noqa: ANN001
    import csv

    out = tmp_path / "a.csv"
    r = run("to-assessment", synth_store, out, "--map", "2.1=3.2.1", "--map", "4.2=3.4", "--period", "2024")
    assert r.exit_code == 0, r.output
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 24 and {x["leaf"] for x in rows} == {"3.2.1", "3.4"}
    js = json.loads(run("indicators", synth_store, "--period", "year", "--level", "unit", "--json").stdout)
    u1 = next(x for x in js if x["unit"] == "U0001")
    on_time = next(i for i in u1["indicators"] if i["id"] == "2.1")
    row = next(x for x in rows if x["unit_code"] == "U0001" and x["leaf"] == "3.2.1")
    assert (float(row["numerator"]), float(row["denominator"])) == (on_time["numerator"], on_time["denominator"])
    assert u1["received"] > 0
    bad = run("to-assessment", synth_store, out, "--map", "1.1=x", "--period", "2024")
    assert bad.exit_code == 2 and "not computable" in bad.stderr


def test_records_follow_the_evaluated_table(synth_store: str) -> None:
    """Every record carries the evaluated table's numbers for its row, in order, with the set's notes."""
    import math

    res = compute(synth_store, period="quarter")
    recs = res.records()
    table = res.table.reset_index(drop=True)
    assert len(recs) == len(table) > 0
    for i in (0, len(recs) // 2, len(recs) - 1):
        rec, row = recs[i], table.iloc[i]
        assert (rec["level"], rec["unit"]) == (row["level"], row["unit"])
        assert rec["received"] == int(row["received"]) and isinstance(rec["received"], int)
        for ind in rec["indicators"]:
            if not ind["computable"]:
                assert ind["reason"] and ind["reason_vi"] and "numerator" not in ind
                continue
            for key, part in (("numerator", "num"), ("denominator", "den"), ("rate", "rate")):
                want = row[f"{ind['id']}.{part}"]
                assert (ind[key] is None and (want is None or math.isnan(want))) or ind[key] == float(want)
        total = row.get("total")
        assert rec["total_points"] == (None if total is None or math.isnan(total) else float(total))
    noted = {i["id"]: i.get("assumption") for i in recs[0]["indicators"]}
    assert noted["2.2"] and "calendar days" in noted["2.2"]


def test_rollup_is_the_same_to_the_last_bit_in_any_row_order(synth_store: str) -> None:
    """The engine returns its groups in whatever order parallel aggregation produced them; the roll-up (where
    fractional processing days are summed) must not depend on it."""
    import pandas as pd
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cchc.services.indicators import connect_store, footer_span, rollup, run_engine

    _, t = connect_store(synth_store)
    eng = run_engine(t, "quarter", span=footer_span(synth_store))
    key = ["level", "unit", "period"]
    want = rollup(eng.fine, eng.procs).sort_values(key, ignore_index=True)
    assert (want["processing_days"] % 1 != 0).any()  # fractional sums are really exercised

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 2**32 - 1))
    def check(seed: int) -> None:
        shuffled = eng.fine.sample(frac=1, random_state=seed).reset_index(drop=True)
        got = rollup(shuffled, eng.procs.sample(frac=1, random_state=seed)).sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(got, want, check_exact=True)

    check()
