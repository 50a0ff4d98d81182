from __future__ import annotations

import numpy as np

from cchc.surveys.responses import Responses


def tiny_dict(**overrides):
    """Two aspects: A (elements E1 with Q1,Q2; E2 with Q3) and B (element E3 with Q4), plus an expectation
    item X1 about E1 and a multiple-choice perception item M1."""
    s5 = {
        "type": "ordinal",
        "options": [{"value": v, "vi": f"m{v}"} for v in range(1, 6)],
        "not_applicable": [{"value": 9, "vi": "Không biết"}],
    }
    yn = {
        "type": "single",
        "options": [{"value": 1, "vi": "Có"}, {"value": 0, "vi": "Không"}],
        "satisfied": [1],
    }
    mc = {
        "type": "multiple",
        "options": [
            {"value": "a", "vi": "Kênh A"},
            {"value": "b", "vi": "Kênh B"},
            {"value": "c", "vi": "Kênh C"},
        ],
        "satisfied": ["a"],
    }
    d = {
        "id": "tiny",
        "title_vi": "Phiếu nhỏ",
        "scales": {"s5": s5, "yn": yn, "mc": mc},
        "min_n": 2,
        "attributes": [
            {"name": "respondent_id", "vi": "Mã phiếu", "role": "id"},
            {"name": "unit", "vi": "Đơn vị", "role": "unit", "required": True},
            {
                "name": "channel",
                "vi": "Kênh",
                "values": ["truc_tiep", "truc_tuyen"],
                "labels_vi": {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến"},
            },
            {"name": "commune", "vi": "Xã", "role": "cluster"},
            {"name": "weight", "vi": "Trọng số", "role": "weight"},
        ],
        "aspects": [
            {
                "code": "A",
                "vi": "Khía cạnh A",
                "elements": [
                    {
                        "code": "E1",
                        "vi": "Yếu tố 1",
                        "questions": [
                            {"code": "Q1", "vi": "Câu 1", "scale": "s5"},
                            {"code": "Q2", "vi": "Câu 2", "scale": "s5", "required": False},
                        ],
                    },
                    {
                        "code": "E2",
                        "vi": "Yếu tố 2",
                        "questions": [{"code": "Q3", "vi": "Câu 3", "scale": "s5", "required": False}],
                    },
                ],
            },
            {
                "code": "B",
                "vi": "Khía cạnh B",
                "elements": [
                    {
                        "code": "E3",
                        "vi": "Yếu tố 3",
                        "questions": [
                            {"code": "Q4", "vi": "Câu 4", "scale": "s5", "required": False},
                            {
                                "code": "X1",
                                "vi": "Mong muốn cải thiện yếu tố 1",
                                "scale": "yn",
                                "measure": "expectation",
                                "relates_to": "E1",
                                "required": False,
                            },
                            {
                                "code": "M1",
                                "vi": "Kênh thông tin",
                                "scale": "mc",
                                "measure": "perception",
                                "required": False,
                                "xlsform_name": "kenh",
                            },
                        ],
                    }
                ],
            },
        ],
    }
    d.update(overrides)
    return d


def make_responses(inst, answers: dict[str, list], units=None, weights=None, clusters=None, multi=None):
    """Build Responses from answer *values* (None = missing, 9 = not applicable)."""
    single = [rq for rq in inst.resolved() if rq.scale.type != "multiple"]
    n = len(next(iter(answers.values())))
    codes = np.full((n, len(single)), -1, dtype=np.int8)
    for j, rq in enumerate(single):
        vals = answers.get(rq.code, [None] * n)
        pos = {o.value: i for i, o in enumerate(rq.scale.options)}
        na = {o.value for o in rq.scale.not_applicable}
        for i, v in enumerate(vals):
            codes[i, j] = -1 if v is None else (-2 if v in na else pos[v])
    attrs = {a.name: np.full(n, "", dtype=object) for a in inst.attributes if a.role not in ("id", "weight")}
    if units is not None:
        attrs[inst.attribute("unit").name] = np.array(units, dtype=object)
    if clusters is not None:
        attrs[inst.attribute("cluster").name] = np.array(clusters, dtype=object)
    mm, mmiss = {}, {}
    for rq in inst.resolved():
        if rq.scale.type == "multiple":
            k = len(rq.scale.options)
            chosen = (multi or {}).get(rq.code, [None] * n)
            m = np.zeros((n, k), bool)
            miss = np.ones(n, bool)
            for i, sel in enumerate(chosen):
                if sel is None:
                    continue
                miss[i] = False
                for v in sel:
                    m[i, [str(o.value) for o in rq.scale.options].index(v)] = True
            mm[rq.code], mmiss[rq.code] = m, miss
    return Responses(
        inst,
        np.array([f"r{i}" for i in range(n)], dtype=object),
        attrs,
        codes,
        [rq.code for rq in single],
        mm,
        mmiss,
        None if weights is None else np.asarray(weights, float),
    )
