from __future__ import annotations

from cchc.surveys.indices import STANDARD_REPLICATES, STANDARD_SEED, Options, compute, standard_options
from cchc.surveys.registry import load_instrument
from cchc.surveys.report import ci_rows, ipa_chart_rows, ipa_rows
from cchc.surveys.synth import synth_responses


def test_chart_rows():
    inst = load_instrument("province-sipas-example")
    res = compute(synth_responses(inst, 1200, units=4, seed=1), Options(by=["unit"], replicates=100))
    rows = ci_rows(res)
    assert len(rows) == 5 and all(r["low"] <= r["value"] <= r["high"] for r in rows)
    units = ci_rows(res, "units")
    assert [r["value"] for r in units] == sorted((r["value"] for r in units), reverse=True)
    ipa = ipa_rows(res)
    assert {r["element"] for r in ipa} == {"E1", "E2", "E3", "E4", "E5"}
    try:
        from cchc.reports.charts import satisfaction_with_ci
    except ImportError:  # the reports area is optional here
        return
    spec = satisfaction_with_ci(rows, "Chỉ số hài lòng theo yếu tố")
    assert spec["layer"]


def _drivers_result(split_importance):  # a result with the drivers analysis, as compute() shapes it
    return {
        "elements": [{"code": "E1", "vi": "Tiếp cận"}, {"code": "E2", "vi": "Thủ tục"}],
        "drivers": {"available": True, "split_importance": split_importance, "split_performance": 71.5,
                    "elements": [
                        {"element": "E1", "importance": 62.5, "performance": 80.0, "quadrant": "keep_up"},
                        {"element": "E2", "importance": None, "performance": 60.0, "quadrant": "low_priority"}]},
    }


def test_ipa_chart_rows_give_importance_as_a_fraction_and_keep_none():
    for split in (None, 50.0):
        result = _drivers_result(split)
        rows = ipa_chart_rows(result)
        assert [(r["name"], r["importance"], r["performance"]) for r in rows] == [
            ("Tiếp cận", 0.625, 80.0), ("Thủ tục", None, 60.0)]
        assert {r["split_importance"] for r in rows} == {None if split is None else 0.5}
        assert {r["split_performance"] for r in rows} == {71.5}  # performance stays in percent
        assert [r["importance"] for r in ipa_rows(result)] == [62.5, None]  # the result is not changed
    assert ipa_chart_rows({"drivers": {"available": False}}) == []


def test_ipa_chart_rows_of_a_computed_result():
    inst = load_instrument("province-sipas-example")
    res = compute(synth_responses(inst, 800, units=3, seed=4), Options(by=["unit"], replicates=20))
    percent, fraction = ipa_rows(res), ipa_chart_rows(res)
    assert fraction and len(fraction) == len(percent)
    for p, f in zip(percent, fraction, strict=True):
        assert f == {**p, "importance": p["importance"] / 100, "split_importance": p["split_importance"] / 100}


def test_the_standard_options_preset():
    opts = standard_options()
    assert (list(opts.by), opts.replicates, opts.seed) == (["unit"], STANDARD_REPLICATES, STANDARD_SEED) == (
        ["unit"], 500, 0)
    assert standard_options() is not opts and standard_options(by=()).by == []
    assert {k: v for k, v in vars(opts).items() if k not in ("by", "replicates", "seed")} == {
        k: v for k, v in vars(Options()).items() if k not in ("by", "replicates", "seed")}
