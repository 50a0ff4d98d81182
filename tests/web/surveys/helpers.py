"""What the survey page tests share: the instrument and a response file."""

from __future__ import annotations

from pathlib import Path

from cchc.surveys.registry import load_instrument
from cchc.surveys.synth import synth_responses

INSTRUMENT = "province-sipas-example"


def write_csv(path: Path, n: int = 240, units: int = 2, seed: int = 3, keep=None, edit=None) -> Path:
    """Synthetic responses with the world's unit names (synth labels units "Đơn vị 001" …)."""
    df = synth_responses(load_instrument(INSTRUMENT), n, units=units, seed=seed).to_frame()
    df["unit"] = df["unit"].map(NAMES)
    if keep is not None:
        df = df[df["unit"].isin(keep)]
    if edit is not None:
        df = edit(df)
    df.to_csv(path, index=False)
    return path


NAMES = {"Đơn vị 001": "Sở Một", "Đơn vị 002": "Sở Hai", "Đơn vị 003": "Sở Ba"}
