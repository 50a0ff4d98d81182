"""The review report and the decision annex, read back with python-docx and openpyxl."""

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from cchc.cli import app
from cchc.core.scoring import score_cycle
from cchc.frameworks import load_framework
from cchc.io.assessments import read_assessments
from cchc.reports.docx_render import default_template

ROOT = Path(__file__).parents[2]
NATIONAL = ROOT / "examples" / "par_index_national_2022_2023.csv"
ASSESSMENT = ROOT / "examples" / "assessment_departments_2025.csv"
SEED = ("Chỉ số CCHC năm 2023 đạt 86,14%, xếp thứ 43/63 tỉnh, thành phố trực thuộc Trung ương, tăng 4,79 điểm "
        "và tăng 12 bậc so với năm 2022; trong khu vực Tây Nguyên xếp thứ 2, sau tỉnh Đắk Lắk.")
runner = CliRunner()


def docx_text(path):
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return doc, "\n".join(parts)


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    result = runner.invoke(app, [
        "report", "review", "--period", "2023", "--province", "Kon Tum", "--out", str(out),
        "--national", str(NATIONAL), "--framework", "example-department", "--assessment", str(ASSESSMENT),
        "--no-pdf", "--signer", "Nguyễn Văn A",
    ])
    assert result.exit_code == 0, result.output
    return out


def test_review_docx_has_official_frame_and_seed_sentence(review):
    doc, text = docx_text(review / "bao-cao-cchc-2023.docx")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH KON TUM" in text and "Nơi nhận:" in text and "Nguyễn Văn A" in text
    assert "Tổng kết công tác cải cách hành chính năm 2023" in text
    assert SEED in text
    assert "chỉ số cải cách thể chế tăng 21 bậc" in text
    assert "{{" not in text and "{%" not in text
    fonts = {run.font.name for p in doc.paragraphs for run in p.runs if run.text.strip()}
    assert fonts == {"Times New Roman"}
    # sections present or saying why not
    assert "Chưa có số liệu khảo sát mức độ hài lòng cho kỳ báo cáo này." in text
    assert len(doc.inline_shapes) == 4  # rank trajectory, region, field indices, lost-points heat map


def test_review_ranking_table_matches_the_core(review):
    fw = load_framework("example-department")
    cycle = score_cycle(fw, read_assessments(ASSESSMENT, fw))
    wb = load_workbook(review / "bao-cao-cchc-2023.xlsx")
    sheet = wb["Xếp hạng các sở"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == ["Hạng", "Đơn vị", "Tổng điểm", "Chỉ số (%)", "Xếp loại", "± điểm", "± bậc"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = [(u.rank, u.name, u.index, u.band.label_vi) for u in cycle.units if u.unit_type == "department"]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == expected
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    _, text = docx_text(review / "bao-cao-cchc-2023.docx")
    first = next(u for u in cycle.units if u.unit_type == "department" and u.rank == 1)
    assert f"Dẫn đầu: {first.name} ({str(first.index).replace('.', ',')}%)" in text
    national = wb["PAR INDEX 2023 lĩnh vực"]
    assert [c.value for c in national[3]][:6] == ["2", "Cải cách thể chế", 94.15, 22, 43, 21]


def test_decision_annex(tmp_path):
    result = runner.invoke(app, [
        "report", "decision", "--year", "2025", "--province", "Kon Tum", "--out", str(tmp_path),
        "--framework", "example-department", "--assessment", str(ASSESSMENT), "--no-pdf",
    ])
    assert result.exit_code == 0, result.output
    _, text = docx_text(tmp_path / "phu-luc-chi-so-cchc-2025.docx")
    assert "PHỤ LỤC" in text and "Kèm theo Quyết định số" in text
    wb = load_workbook(tmp_path / "phu-luc-chi-so-cchc-2025.xlsx")
    sheet = wb["Phụ lục các sở"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["STT", "Đơn vị", "LV 1 (12)"] and header[-4:] == ["Tổng điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert row[-4] == pytest.approx(sum(v for v in row[2:-4] if v is not None), abs=0.05)


def test_a_province_template_replaces_the_default(tmp_path):
    tpl = tmp_path / "mau.docx"
    tpl.write_bytes(default_template())
    doc = Document(tpl)
    doc.add_paragraph("Mẫu của tỉnh: {{ place }} — {{ title }}")
    doc.save(tpl)
    result = runner.invoke(app, ["report", "review", "--period", "2024-H1", "--province", "Kon Tum", "--out", str(tmp_path / "o"),
                                 "--template", str(tpl), "--no-pdf"])
    assert result.exit_code == 0, result.output
    _, text = docx_text(tmp_path / "o" / "bao-cao-cchc-2024-H1.docx")
    assert "Mẫu của tỉnh: Kon Tum — BÁO CÁO" in text
    assert "Sơ kết công tác cải cách hành chính 6 tháng đầu năm 2024" in text
    assert "Chưa có số liệu các chỉ số quốc gia" in text


def test_bad_period_is_refused():
    result = runner.invoke(app, ["report", "review", "--period", "2024-Q3", "--province", "X", "--out", "/tmp/x"])
    assert result.exit_code == 2 and "is not a year (2024) or a half year" in result.output


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or pdftoppm not installed (scripts/install-system-deps.sh installs them)")
def test_pdf_renders_to_page_images(tmp_path):
    result = runner.invoke(app, ["report", "review", "--period", "2023", "--province", "Kon Tum", "--out", str(tmp_path),
                                 "--national", str(NATIONAL)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "bao-cao-cchc-2023.pdf"
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 5000


def test_review_with_survey_section_matches_the_survey_module(tmp_path):
    from cchc.surveys.indices import Options, compute
    from cchc.surveys.registry import load_instrument
    from cchc.surveys.synth import synth_responses

    inst = load_instrument("province-sipas-example")
    responses = synth_responses(inst, 1200, units=5, seed=7)
    path = tmp_path / "responses.csv"
    responses.to_frame().to_csv(path, index=False)
    result = runner.invoke(app, ["report", "review", "--period", "2025", "--province", "Kon Tum", "--out", str(tmp_path / "o"),
                                 "--survey", str(path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    expected = compute(responses, Options(by=["unit"], replicates=500, seed=0))
    _, text = docx_text(tmp_path / "o" / "bao-cao-cchc-2025.docx")
    overall = f"{expected['overall']['index']:.2f}".replace(".", ",")
    assert f"chỉ số hài lòng chung đạt {overall}%" in text
    assert "Chưa có số liệu khảo sát mức độ hài lòng" not in text
    wb = load_workbook(tmp_path / "o" / "bao-cao-cchc-2025.xlsx")
    sheet = wb["Hài lòng theo đơn vị"]
    got = {r[1]: r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert got == {u["label"]: u["overall"]["index"] for u in expected["units"]}


def test_review_survey_errors_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,channel,E1_1\n1,Sở A,truc_tiep,6\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "review", "--period", "2025", "--province", "Kon Tum", "--out", str(tmp_path / "o"),
                                 "--survey", str(bad), "--no-pdf"])
    assert result.exit_code == 2
    assert "sheet bad.csv, row 1, column TC1: required question column 'TC1' is missing" in result.output


def test_review_with_service_delivery_section(tmp_path):
    from cchc.services.indicators import compute
    from cchc.services.synth import SynthSpec, write_synth

    store = tmp_path / "store"
    import datetime as dt

    write_synth(SynthSpec(rows=6000, units=5, procedures=12, seed=4, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)), store)
    result = runner.invoke(app, ["report", "review", "--period", "2025-H1", "--province", "Kon Tum", "--out", str(tmp_path / "o"),
                                 "--dossiers", str(store), "--no-pdf"])
    assert result.exit_code == 0, result.output
    province = next(r for r in compute(store, period="half").records() if r["level"] == "province" and r["period"] == "2025-H1")
    on_time = next(i["rate"] for i in province["indicators"] if i["id"] == "2.1")
    _, text = docx_text(tmp_path / "o" / "bao-cao-cchc-2025-H1.docx")
    assert f"giải quyết đúng hạn {on_time:.2f}%".replace(".", ",") in text
    assert "Chưa có số liệu hồ sơ thủ tục hành chính" not in text
    assert "(cần dữ liệu phản ánh, kiến nghị (PAKN))" in text  # reasons in Vietnamese in a Vietnamese report
    assert "needs petition" not in text
    wb = load_workbook(tmp_path / "o" / "bao-cao-cchc-2025-H1.xlsx")
    rows = list(wb["Dịch vụ công theo đơn vị"].iter_rows(min_row=2, values_only=True))
    units = {r["unit"]: r for r in compute(store, period="half").records() if r["level"] == "unit" and r["period"] == "2025-H1"}
    assert {r[0]: r[1] for r in rows} == {u: r["received"] for u, r in units.items()}
    assert (tmp_path / "o" / "services-trend-2025-H1.png").exists()


def test_importance_is_reported_in_percent(tmp_path):
    from cchc.reports.sections_surveys import survey_section
    from cchc.surveys.indices import Options, compute
    from cchc.surveys.registry import load_instrument
    from cchc.surveys.synth import synth_responses

    inst = load_instrument("province-sipas-example")
    result = compute(synth_responses(inst, 1500, units=4, seed=2), Options(by=["unit"], replicates=50, seed=0))
    section = survey_section(result, inst.title_vi, "năm 2025")
    table = next(b for b in section.blocks if getattr(b, "sheet", "") == "Quan trọng - hài lòng")
    shares = [row[1] for row in table.rows]
    assert sum(shares) == pytest.approx(100, abs=0.5) and all(0 <= s <= 100 for s in shares)
    chart = next(b for b in section.blocks if getattr(b, "name", "") == "importance-performance")
    values = chart.spec["datasets"][next(iter(chart.spec["datasets"]))]
    assert all(0 <= v["importance"] <= 1 for v in values)


def test_survey_section_without_an_importance_split(tmp_path):
    """A drivers analysis without a mean importance (split_importance None) still gives the matrix chart."""
    from cchc.reports.sections_surveys import survey_section
    from cchc.surveys.indices import compute, standard_options
    from cchc.surveys.registry import load_instrument
    from cchc.surveys.report import ipa_chart_rows
    from cchc.surveys.synth import synth_responses

    inst = load_instrument("province-sipas-example")
    opts = standard_options()
    opts.replicates = 20
    result = compute(synth_responses(inst, 900, units=3, seed=3), opts)
    assert result["drivers"]["available"]
    result["drivers"]["split_importance"] = None
    section = survey_section(result, inst.title_vi, "năm 2025")
    chart = next(b for b in section.blocks if getattr(b, "name", "") == "importance-performance")
    values = chart.spec["datasets"][next(iter(chart.spec["datasets"]))]
    assert [v["importance"] for v in values] == [r["importance"] for r in ipa_chart_rows(result)]
    assert all(v["split_importance"] is None for v in values)
