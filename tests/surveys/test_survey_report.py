from __future__ import annotations

from cchc.surveys.indices import Options, compute
from cchc.surveys.registry import load_instrument
from cchc.surveys.report import ci_rows, ipa_rows
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
