import pytest

from cchc.core.diagnostics import lost_points, strengths_weaknesses
from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
from cchc.frameworks import load_framework

FW = load_framework("example-commune")


def _full(**overrides):
    inputs = {leaf.code: LeafInput(self_points=leaf.max_points) for leaf in FW.leaves("commune") if not leaf.is_signed}
    inputs.update({k: LeafInput(self_points=v) for k, v in overrides.items()})
    return inputs


def test_lost_points_per_field_and_leaf_across_units():
    cycle = score_cycle(FW, [
        UnitAssessment("A", "Xã A", "commune", inputs=_full(**{"1.3": 0.5, "6.2": 1})),
        UnitAssessment("B", "Xã B", "commune", inputs=_full(**{"1.3": 1})),
    ])
    fields = {x.code: x for x in lost_points(FW, cycle.units, depth=0)}
    assert fields["1"].lost == pytest.approx(2.5) and fields["1"].units_losing == 2
    assert fields["6"].lost == pytest.approx(1) and fields["6"].units_losing == 1
    leaves = lost_points(FW, cycle.units)
    assert leaves[0].code == "1.3" and leaves[0].lost == pytest.approx(2.5)
    assert all(x.lost == 0 for x in leaves if x.code not in ("1.3", "6.2"))


def test_strengths_and_weaknesses_against_group_mean():
    cycle = score_cycle(FW, [
        UnitAssessment("A", "Xã A", "commune", inputs=_full(**{"1.3": 0})),
        UnitAssessment("B", "Xã B", "commune", inputs=_full(**{"6.2": 0})),
    ])
    strengths, weaknesses = strengths_weaknesses(FW, cycle, "A")
    assert [s.code for s in weaknesses] == ["1"]
    assert [s.code for s in strengths] == ["6"]
