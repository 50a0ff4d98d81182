"""Comparison across the 2025 reorganisation (63 → 34 provinces), following lineage, not names."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.lineage import Lineage, LineageEvent, baselines
from cchc.core.results import ResultRow
from cchc.io.reference import lineage_2025


def test_shipped_lineage_follows_resolution_202():
    lin = lineage_2025()
    assert set(lin.predecessors("Quảng Ngãi", "2024-12-31")) == {"Kon Tum", "Quảng Ngãi"}
    assert lin.predecessors("Huế", "2024-12-31") == ("Thừa Thiên Huế",)
    assert lin.predecessors("Hà Nội", "2024-12-31") == ("Hà Nội",)
    successors = {e.targets[0] for e in lin.events}
    assert len({e.sources for e in lin.events if e.kind == "merge"}) == 23  # 34 − 11 unchanged (Huế renamed)
    assert "Quảng Ngãi" in successors


def test_merged_baseline_is_the_mean_and_is_reranked_among_successors():
    # Synthetic 2024 values (not published figures): only the arithmetic is under test.
    lin = Lineage([LineageEvent("2025-07-01", "merge", ("Kon Tum", "Quảng Ngãi"), ("Quảng Ngãi",))])
    prev = [ResultRow("Kon Tum", 2024, index=86.0), ResultRow("Quảng Ngãi", 2024, index=88.0),
            ResultRow("Hà Nội", 2024, index=91.0)]
    found = baselines(prev, ["Quảng Ngãi", "Hà Nội"], lin, "2024-12-31", "mean")
    assert found["Quảng Ngãi"].index == pytest.approx(87.0)
    assert (found["Quảng Ngãi"].rank, found["Quảng Ngãi"].of) == (2, 2)
    assert found["Hà Nội"].rank == 1
    assert "bình quân của Kon Tum + Quảng Ngãi" in found["Quảng Ngãi"].rule
    weighted = baselines(prev, ["Quảng Ngãi"], lin, "2024-12-31", "weighted", {"Kon Tum": 1, "Quảng Ngãi": 3})
    assert weighted["Quảng Ngãi"].index == pytest.approx(87.5)
    none = baselines(prev, ["Quảng Ngãi"], lin, "2024-12-31", "none")
    assert none["Quảng Ngãi"].index is None and "không so sánh" in none["Quảng Ngãi"].rule


def test_missing_predecessor_gives_no_baseline():
    lin = Lineage([LineageEvent("2025-07-01", "merge", ("A", "B"), ("C",))])
    found = baselines([ResultRow("A", 2024, index=80.0)], ["C"], lin, "2024-12-31")
    assert found["C"].index is None and found["C"].rank is None


@given(st.lists(st.floats(0, 100), min_size=1, max_size=6))
def test_mean_baseline_lies_between_predecessors(values):
    names = tuple(f"T{i}" for i in range(len(values)))
    lin = Lineage([LineageEvent("2025-07-01", "merge", names, ("N",))] if len(names) > 1 else [])
    rows = [ResultRow(n, 2024, index=v) for n, v in zip(names, values, strict=True)]
    successor = "N" if len(names) > 1 else names[0]
    b = baselines(rows, [successor], lin, "2024-12-31")[successor]
    assert min(values) - 1e-9 <= b.index <= max(values) + 1e-9


def test_compare_cycles_states_the_merged_baseline_rule():
    from cchc.core.comparison import compare_cycles
    from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
    from cchc.frameworks import load_framework

    fw = load_framework("par-index-876-composition")

    def unit(code, appraisal):
        return UnitAssessment(code, code, "province", inputs={
            "appraisal": LeafInput(appraised_points=appraisal), "leaders": LeafInput(appraised_points=18),
            "sipas": LeafInput(appraised_points=8), "impact": LeafInput(appraised_points=4)})

    before = score_cycle(fw, [unit("KT", 50), unit("QNg", 54), unit("HN", 58)])
    after = score_cycle(fw, [unit("QNg2", 56), unit("HN", 58)])
    changes = compare_cycles(after, before, {"QNg2": ["KT", "QNg"]})
    assert changes["QNg2"].prev_index == pytest.approx(82.0) and changes["QNg2"].delta_points == 4.0
    assert changes["QNg2"].rule == "điểm gốc = bình quân của KT + QNg (82,00%)"
    assert changes["HN"].rule is None and changes["HN"].delta_rank == 0
