"""Engine parity: the same Ibis measures on DuckDB and on PySpark (local mode) give the same numbers.

Slow (starts a JVM): marked ``slow``; skipped when PySpark or Java is missing.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():  # noqa: ANN201
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("cchc-parity")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g")
               .getOrCreate())
    yield session
    session.stop()


def _norm(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.copy()
    num = [c for c in out.columns if c not in keys]
    out[num] = out[num].astype(float).fillna(0)
    out[keys] = out[keys].astype(str)
    return out.sort_values(keys).reset_index(drop=True)[sorted(out.columns)]


@pytest.mark.parametrize("membership", ["active", "received"])
def test_duckdb_and_pyspark_agree_on_every_measure(tmp_path_factory, spark, membership: str) -> None:  # noqa: ANN001
    import ibis

    from cchc.services.indicators import connect_store, run_engine
    from cchc.services.synth import SynthSpec, write_synth

    store = tmp_path_factory.mktemp("parity") / "store"
    write_synth(SynthSpec(rows=3000, units=6, procedures=12, seed=9), store)
    _, t_duck = connect_store(store)
    duck = run_engine(t_duck, "quarter", membership=membership)

    con = ibis.pyspark.connect(spark)
    t_spark = con.read_parquet(str(store / "dossiers"))
    sp = run_engine(t_spark, "quarter", membership=membership, as_of=duck.as_of)

    keys = ["unit_code", "parent_unit_code", "period"]
    a, b = _norm(duck.fine, keys), _norm(sp.fine, keys)
    assert list(a.columns) == list(b.columns)
    assert a[keys].equals(b[keys])
    for c in a.columns:
        if c not in keys:
            assert np.allclose(a[c], b[c]), c
    pk = keys[:2] + ["procedure_code", "period"]
    pa_, pb = _norm(duck.procs, pk), _norm(sp.procs, pk)
    assert pa_.equals(pb)
    assert duck.nn_totals == sp.nn_totals
