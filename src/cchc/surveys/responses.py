"""Validated responses in columnar form, ready for the indices.

Answers to ordinal and single-choice questions are stored as option positions in an ``int8`` matrix
(``0`` = first option … ``k-1`` = last; :data:`MISSING` = no answer; :data:`NOT_APPLICABLE` = "không biết / không
áp dụng"); multiple-choice answers as a boolean matrix per question. Attributes are string arrays (``""`` when
empty) and the weight a float array (all ones when the instrument has no weight column or it is empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cchc.surveys.model import Instrument

MISSING = -1
NOT_APPLICABLE = -2


@dataclass
class Responses:
    instrument: Instrument
    ids: np.ndarray
    attrs: dict[str, np.ndarray]
    codes: np.ndarray  # (n, len(single_codes)) int8
    single_codes: list[str]
    multi: dict[str, np.ndarray] = field(default_factory=dict)  # code -> (n, k) bool
    multi_missing: dict[str, np.ndarray] = field(default_factory=dict)  # code -> (n,) bool
    weight: np.ndarray | None = None
    source_rows: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    def column(self, code: str) -> np.ndarray:
        return self.codes[:, self.single_codes.index(code)]

    def weights(self) -> np.ndarray:
        return np.ones(self.n) if self.weight is None else self.weight

    def subset(self, mask: np.ndarray) -> Responses:
        return Responses(
            instrument=self.instrument,
            ids=self.ids[mask],
            attrs={k: v[mask] for k, v in self.attrs.items()},
            codes=self.codes[mask],
            single_codes=list(self.single_codes),
            multi={k: v[mask] for k, v in self.multi.items()},
            multi_missing={k: v[mask] for k, v in self.multi_missing.items()},
            weight=None if self.weight is None else self.weight[mask],
            source_rows=None if self.source_rows is None else self.source_rows[mask],
        )

    def to_frame(self):
        """A pandas DataFrame with attribute columns and question columns holding option values (the
        normalised exchange format: it re-imports as "codes as columns")."""
        import pandas as pd

        inst = self.instrument
        data: dict[str, object] = {}
        id_att = inst.attribute("id")
        data[id_att.name if id_att else "respondent_id"] = self.ids
        for att in inst.attributes:
            if att.role == "id":
                continue
            if att.role == "weight":
                data[att.name] = self.weight if self.weight is not None else np.full(self.n, np.nan)
                continue
            data[att.name] = self.attrs.get(att.name, np.full(self.n, "", dtype=object))
        for rq in inst.resolved():
            opts = rq.scale.options
            if rq.scale.type == "multiple":
                mat = self.multi[rq.code]
                miss = self.multi_missing[rq.code]
                vals = np.array([str(o.value) for o in opts], dtype=object)
                col = ["" if m else " ".join(vals[row]) for row, m in zip(mat, miss, strict=True)]
                data[rq.code] = col
                continue
            lut = np.array([o.value for o in opts] + [None] + [None], dtype=object)
            na = rq.scale.not_applicable
            c = self.column(rq.code).astype(np.int64)
            out = lut[np.where(c >= 0, c, len(opts))]
            if na:
                out = np.where(c == NOT_APPLICABLE, na[0].value, out)
            data[rq.code] = out
        return pd.DataFrame(data)
