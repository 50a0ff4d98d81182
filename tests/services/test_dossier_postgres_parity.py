"""Engine parity on PostgreSQL: the same Ibis measures give the same numbers as on DuckDB.

Runs only when ``DATABASE_URL`` points to PostgreSQL (the CI's second pass, ``-m db``); the store's Parquet rows
are copied into a temporary table first, since PostgreSQL does not read Parquet.
"""

from __future__ import annotations

import os
import uuid

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.db

URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not URL.startswith("postgres"), reason="DATABASE_URL is not a PostgreSQL URL")
@pytest.mark.parametrize("membership", ["active", "received"])
def test_duckdb_and_postgres_agree_on_every_measure(tmp_path_factory, membership: str) -> None:  # noqa: ANN001
    import duckdb
    import ibis

    from cchc.services.importer import Store
    from cchc.services.indicators import connect_store, run_engine
    from cchc.services.synth import SynthSpec, write_synth

    store = tmp_path_factory.mktemp("pg") / "store"
    write_synth(SynthSpec(rows=2000, units=5, procedures=10, seed=4), store)
    _, t_duck = connect_store(store)
    duck = run_engine(t_duck, "quarter", membership=membership)

    import pyarrow as pa

    rows = duckdb.sql(f"SELECT * FROM read_parquet('{Store(store).glob()}', hive_partitioning = true)").arrow()
    if isinstance(rows, pa.RecordBatchReader):
        rows = rows.read_all()
    con = ibis.connect(URL.replace("postgresql://", "postgres://", 1) if URL.startswith("postgresql://") else URL)
    name = f"cchc_parity_{uuid.uuid4().hex[:8]}"
    try:
        t_pg = con.create_table(name, rows)
        pg = run_engine(t_pg, "quarter", membership=membership, as_of=duck.as_of)
    finally:
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')  # Ibis 12 drop_table emits no name with sqlglot 30
        con.disconnect()

    def norm(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        out = df.copy()
        num = [c for c in out.columns if c not in keys]
        out[num] = out[num].astype(float).fillna(0)
        out[keys] = out[keys].astype(str)
        return out.sort_values(keys).reset_index(drop=True)[sorted(out.columns)]

    keys = ["unit_code", "parent_unit_code", "period"]
    a, b = norm(duck.fine, keys), norm(pg.fine, keys)
    assert a[keys].equals(b[keys])
    for c in a.columns:
        if c not in keys:
            assert np.allclose(a[c], b[c]), c
    pk = keys[:2] + ["procedure_code", "period"]
    assert norm(duck.procs, pk).equals(norm(pg.procs, pk))
    assert duck.nn_totals == pg.nn_totals
