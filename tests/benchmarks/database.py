"""The benchmark's database: refusing the wrong one, emptying and restoring tables, and the
figures read from PostgreSQL (rows written, table statistics, row-by-row comparison).

Everything here runs in the benchmark's own process, between the measured phases.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hemi_bench"
#: A stock row's key (one row per OC account, product and region), and the figures compared
#: between the project's rows and the reference's (model field names).
KEY = ("account", "product", "region")
COMPARED = (
    "item_account",
    "sku",
    "oc_sku",
    "available_stock",
    "intransit_stock",
    "other_stock",
    "created_in_oc",
    "stale",
)


def setup_django(allow_sqlite: bool) -> None:
    """Configure and start Django (before any project import)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemi_fulfilment.settings")
    if allow_sqlite and "DATABASE_URL" not in os.environ:
        # Never the demo's var/hemi.sqlite3: a file of the benchmark's own.
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{Path(tempfile.gettempdir()) / 'hemi_bench.sqlite3'}"
        )
    import django

    django.setup()


def database_refusal(allow_sqlite: bool) -> str | None:
    """Why the configured database must not be used, or None when it may."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine, name = str(db["ENGINE"]), str(db["NAME"])
    if engine.endswith("postgresql"):
        if "bench" not in name.lower():
            return (
                f"DATABASE_URL names the database {name!r}. The benchmark empties the catalog and "
                "OC tables of its database, so it only runs on a dedicated one whose name "
                f"contains 'bench', e.g. DATABASE_URL={DEFAULT_DATABASE_URL}"
            )
        return None
    if engine.endswith("sqlite3"):
        if not allow_sqlite:
            return (
                "The database is SQLite. The figures are meant for PostgreSQL (the production "
                "database: bulk upserts, row locks, a real server round trip per statement), so "
                f"set DATABASE_URL={DEFAULT_DATABASE_URL}; pass --allow-sqlite to run on SQLite "
                "anyway (the reference implementation and the table figures need PostgreSQL "
                "and are skipped)."
            )
        if "bench" not in Path(name).name.lower():
            return (
                f"The SQLite file {name} is not a benchmark database (its name must contain "
                "'bench'); the benchmark empties its tables."
            )
        return None
    return f"Unsupported database engine {engine}: use PostgreSQL."


def ensure_postgres_database() -> bool:
    """Create the configured PostgreSQL database if it does not exist; True if created."""
    import psycopg2  # type: ignore[import-untyped]
    from django.conf import settings
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    params = {
        key: db.get(option)
        for key, option in (
            ("user", "USER"),
            ("password", "PASSWORD"),
            ("host", "HOST"),
            ("port", "PORT"),
        )
        if db.get(option)
    }
    conn = psycopg2.connect(dbname="postgres", **params)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def stock_table() -> str:
    """The quoted name of the Product Account Orange Connex table."""
    from django.db import connection

    from oc_integration.models import ProductAccountOrangeConnex

    return connection.ops.quote_name(ProductAccountOrangeConnex._meta.db_table)


def bench_models() -> list[Any]:
    """The tables the benchmark empties, children first."""
    from hemi_fulfilment.apilog.models import ApiCallLog
    from hemi_fulfilment.catalog.models import ItemAccount, Product
    from oc_integration.models import (
        AccountOrangeConnex,
        OAuthAuthorizationRequest,
        ProductAccountOrangeConnex,
        SyncRun,
    )

    return [
        ProductAccountOrangeConnex,
        SyncRun,
        OAuthAuthorizationRequest,
        AccountOrangeConnex,
        ItemAccount,
        Product,
        ApiCallLog,
    ]


def with_referring(models: Sequence[Any]) -> list[Any]:
    """``models`` and every model whose foreign keys lead to one of them, by Django's
    relations (some, such as the stock history's, have no database constraint for
    ``TRUNCATE … CASCADE`` to follow), each once, in the order found."""
    found: list[Any] = []
    pending = list(models)
    while pending:
        model = pending.pop(0)
        if model in found:
            continue
        found.append(model)
        # The reverse side of each foreign key (hidden ones, related_name "+", included).
        pending.extend(
            relation.related_model
            for relation in model._meta.get_fields(include_hidden=True)
            if relation.auto_created
            and not relation.concrete
            and (relation.one_to_many or relation.one_to_one)
        )
    return found


def quoted_tables(models: Sequence[Any]) -> list[str]:
    """The quoted table names of ``models`` and of the models referring to them."""
    from django.db import connection

    return [connection.ops.quote_name(m._meta.db_table) for m in with_referring(models)]


def empty_tables(models: Sequence[Any]) -> None:
    """Delete every row of ``models`` and of the models referring to them (TRUNCATE on
    PostgreSQL: fast, and no dead rows left behind to slow the next run down)."""
    from django.db import connection

    if is_postgres():
        tables = ", ".join(quoted_tables(models))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for model in models:
            model.objects.all().delete()


def analyze(models: Sequence[Any]) -> None:
    """Refresh the planner statistics after a bulk load (PostgreSQL), as autovacuum would."""
    from django.db import connection

    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def clear_stock_rows() -> None:
    """Remove every Product Account Orange Connex row, so the next sync writes them all."""
    from oc_integration.models import ProductAccountOrangeConnex

    empty_tables([ProductAccountOrangeConnex])
    analyze_stock()
    gc.collect()


def analyze_stock() -> None:
    """Fresh planner statistics for the stock table (and its dead rows vacuumed), as
    autovacuum gives them after a bulk change; a plan made on the statistics of an empty
    table (after TRUNCATE) is not one production sees."""
    from oc_integration.models import ProductAccountOrangeConnex

    analyze([ProductAccountOrangeConnex])


def database_label() -> str:
    """``PostgreSQL 16.4, database hemi_bench`` or the SQLite file."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if is_postgres():
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 10000}, database {name}"
    return f"{connection.vendor} {name}"


# --- saving and restoring the stock table (PostgreSQL) ----------------------------------------


def _execute(sql: str, params: Sequence[Any] = ()) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, list(params) or None)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _referencing_tables() -> list[str]:
    """The stock table and every table whose foreign keys lead to it (stock history, …),
    quoted, the stock table first."""
    from oc_integration.models import ProductAccountOrangeConnex

    return quoted_tables([ProductAccountOrangeConnex])


def save_state(name: str) -> None:
    """Keep a full copy of the stock table, and of the tables referring to it, as
    ``name_0``, ``name_1``, … (restored by ``restore_state``)."""
    for position, table in enumerate(_referencing_tables()):
        copy = f"{name}_{position}"
        _execute(f"DROP TABLE IF EXISTS {copy}")
        _execute(f"CREATE UNLOGGED TABLE {copy} AS SELECT * FROM {table}")  # noqa: S608


def saved_stock(name: str) -> str:
    """The copy of the stock table ``save_state(name)`` made (``compare_figures`` reads it)."""
    return f"{name}_0"


def restore_state(name: str) -> None:
    """Put the stock table (and the tables referring to it) back as ``save_state(name)``
    found them (same ids), analyzed."""
    tables = _referencing_tables()
    _execute(f"TRUNCATE {', '.join(tables)}")
    for position, table in enumerate(tables):
        _execute(f"INSERT INTO {table} SELECT * FROM {name}_{position}")  # noqa: S608
    for table in tables:
        _execute(f"VACUUM ANALYZE {table}")


def drop_state(name: str) -> None:
    """Drop the copies ``save_state(name)`` made."""
    drop_tables(*(f"{name}_{i}" for i in range(len(_referencing_tables()))))


def save_figures(name: str) -> None:
    """Keep the figures of every stock row as ``name``, for ``compare_figures``."""
    from oc_integration.models import ProductAccountOrangeConnex

    columns = ", ".join(
        str(ProductAccountOrangeConnex._meta.get_field(f).column)  # type: ignore[union-attr]
        for f in (*KEY, *COMPARED)
    )
    _execute(f"DROP TABLE IF EXISTS {name}")
    _execute(f"CREATE UNLOGGED TABLE {name} AS SELECT {columns} FROM {stock_table()}")  # noqa: S608


def drop_tables(*names: str) -> None:
    for name in names:
        _execute(f"DROP TABLE IF EXISTS {name}")


@dataclass
class RowComparison:
    """The stock table now against saved figures, keyed by ``KEY``."""

    rows: int = 0
    linked: int = 0  # rows (now) linked to a listing (an item account)
    only_saved: int = 0
    only_now: int = 0
    differing: dict[str, int] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        return not (self.only_saved or self.only_now or any(self.differing.values()))

    def describe(self, saved: str, now: str) -> str:
        """``yes (40,000 rows)`` or what differs."""
        if self.same:
            return f"yes ({self.rows:,} rows, {self.linked:,} linked to a listing)"
        parts = [
            f"{count:,} rows differ in {column}"
            for column, count in self.differing.items()
            if count
        ]
        if self.only_saved:
            parts.append(f"{self.only_saved:,} rows only in {saved}")
        if self.only_now:
            parts.append(f"{self.only_now:,} rows only in {now}")
        return f"NO ({'; '.join(parts)})"


def compare_figures(name: str) -> RowComparison:
    """Compare the stock table's figures with those saved as ``name`` (one query)."""
    from oc_integration.models import ProductAccountOrangeConnex

    def col(f: str) -> str:
        return str(ProductAccountOrangeConnex._meta.get_field(f).column)  # type: ignore[union-attr]

    key = " AND ".join(f"a.{col(k)} = b.{col(k)}" for k in KEY)
    first = col(KEY[0])
    both = f"a.{first} IS NOT NULL AND b.{first} IS NOT NULL"
    differs = ", ".join(
        f"count(*) FILTER (WHERE {both} AND a.{col(c)} IS DISTINCT FROM b.{col(c)})"
        for c in COMPARED
    )
    ((rows, linked, only_saved, only_now, *diffs),) = _execute(
        f"SELECT count(*), count(b.{col('item_account')}),"  # noqa: S608
        f" count(*) FILTER (WHERE b.{first} IS NULL),"
        f" count(*) FILTER (WHERE a.{first} IS NULL), {differs}"
        f" FROM {name} a FULL OUTER JOIN {stock_table()} b ON {key}"
    )
    return RowComparison(
        rows, linked, only_saved, only_now, dict(zip(COMPARED, diffs, strict=True))
    )


# --- what a phase wrote -------------------------------------------------------------------------


def write_marker() -> str:
    """A transaction id: rows written after it have a newer ``xmin`` (``rows_written_since``)."""
    ((xid,),) = _execute("SELECT (txid_current() % 4294967296)::text")
    return str(xid)


def rows_written_since(marker: str) -> int:
    """Stock rows inserted or updated (a new row version) since ``write_marker()``."""
    ((count,),) = _execute(
        f"SELECT count(*) FROM {stock_table()} WHERE age(xmin) < age(%s::xid)",  # noqa: S608
        [marker],
    )
    return int(count)


@dataclass(frozen=True)
class TableStats:
    """``pg_stat_user_tables`` counters of the stock table."""

    inserted: int = 0
    updated: int = 0
    hot_updated: int = 0
    deleted: int = 0

    def minus(self, before: TableStats) -> TableStats:
        return TableStats(
            self.inserted - before.inserted,
            self.updated - before.updated,
            self.hot_updated - before.hot_updated,
            self.deleted - before.deleted,
        )


def table_stats(*, settle: bool = False) -> TableStats:
    """The stock table's tuple counters. ``settle``: wait until a finished child's backend
    has reported them (PostgreSQL flushes a backend's counters when it exits)."""
    from oc_integration.models import ProductAccountOrangeConnex

    def read() -> TableStats:
        _execute("SELECT pg_stat_clear_snapshot()")
        rows = _execute(
            "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables"
            " WHERE relid = %s::regclass",
            [ProductAccountOrangeConnex._meta.db_table],
        )
        return TableStats(*rows[0]) if rows else TableStats()

    stats = read()
    if settle:
        for _ in range(10):
            time.sleep(0.2)
            again = read()
            if again == stats:
                break
            stats = again
    return stats
