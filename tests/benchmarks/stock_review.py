"""Stock-review benchmark: the OC stock review (the admin changelist of Product Account Orange
Connex) timed at N stock rows.

Run it on a dedicated PostgreSQL database (created if missing; its OC stock table and the
tables referring to it are emptied, its products named ``REVIEW…`` and their item accounts
replaced, so never point it at data you want to keep)::

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/hemi_review_bench \\
        .venv/bin/python -m tests.benchmarks.stock_review [--rows 200000]

It refuses a database whose name does not contain "bench", and never touches the test
database. What it does:

1. migrate; empty the stock table; seed ``--rows`` stock rows in a few ``INSERT … SELECT
   generate_series`` statements: ``rows / 2`` Hemi products (SKUs ``REVIEW0000000`` …, inserted
   in a shuffled order so the table is not already in SKU order), each with an eBay UK and an
   eBay DE item account, and one stock row per item account in one OC account; then
   ``VACUUM ANALYZE`` (what autovacuum does after a sync);
2. through Django's test ``Client``, logged in as a superuser, the changelist for: page 1,
   page 500, the region filter, a search by SKU and a search by OC SKU; each case is
   requested once to warm up, then timed 5 times (the median and the best are printed),
   with Django's query log off, plus once under ``CaptureQueriesContext`` for the query
   count. The time is the whole request: middleware, queries and the rendered page.

``measure_review(rows)`` does steps 1-2 and returns ``(case, milliseconds, queries)`` per case;
the stock-sync benchmark calls it for its own report, with Django already set up on its
database. It prints figures and asserts nothing; pytest does not collect it
(``norecursedirs``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from tests.benchmarks.database import ensure_postgres_database, quoted_tables

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hemi_review_bench"
SKU_PREFIX = "REVIEW"
ACCOUNT_NAME = "Stock review benchmark"
SUPERUSER = "review-bench"
REGIONS = (("UK", 3), ("DE", 77))
TIMED_RUNS = 5
GOAL_MS = 100.0
# The case's page (query string) relative to the changelist, given the SKU and OC SKU of a
# row in the middle of the list.
CASES: tuple[tuple[str, str], ...] = (
    ("page 1", ""),
    ("page 500", "p=500"),
    ("region filter (DE)", "region=DE"),
    ("search by SKU", "q={sku}"),
    ("search by OC SKU", "q={oc_sku}"),
)


def database_refusal() -> str | None:
    """Why the configured database must not be used, or None when it may."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine, name = str(db["ENGINE"]), str(db["NAME"])
    if not engine.endswith("postgresql"):
        return (
            f"The database is {engine.rsplit('.', 1)[-1]}. The figures are meant for PostgreSQL "
            f"(indexes, planner, the production database): set DATABASE_URL={DEFAULT_DATABASE_URL}"
        )
    if "bench" not in name.lower() or name.startswith("test_"):
        return (
            f"DATABASE_URL names the database {name!r}. The benchmark empties the OC stock table "
            "of its database, so it only runs on a dedicated one whose name contains 'bench', "
            f"e.g. DATABASE_URL={DEFAULT_DATABASE_URL}"
        )
    return None


def seed_stock_rows(rows: int) -> None:
    """Exactly ``rows`` stock rows (and the products, item accounts, eBay accounts and OC
    account they need), in set-based SQL: seconds for 200,000 rows."""
    from django.db import connection, transaction

    from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
    from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex

    def table(model: Any) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    stock, item, product, ebay = (
        table(ProductAccountOrangeConnex),
        table(ItemAccount),
        table(Product),
        table(EbayAccount),
    )
    products = (rows + 1) // 2
    with transaction.atomic():
        sites = {
            code: EbayAccount.objects.get_or_create(
                site_code=code, defaults={"name": f"eBay {code}", "site_id": site_id}
            )[0].pk
            for code, site_id in REGIONS
        }
        account, _ = AccountOrangeConnex.objects.get_or_create(
            name=ACCOUNT_NAME,
            defaults={
                "api_base_url": "http://127.0.0.1:9/openapi",
                "oauth_base_url": "http://127.0.0.1:9",
                "client_key": "review-bench",
                "redirect_uri": "http://127.0.0.1/oc/oauth/callback/",
            },
        )
        with connection.cursor() as cursor:
            # Every stock row goes (and what refers to it: stock history, movements, age):
            # the review must show exactly ``rows`` of them.
            cursor.execute(
                f"TRUNCATE {', '.join(quoted_tables([ProductAccountOrangeConnex]))} CASCADE"
            )
            cursor.execute(
                f"DELETE FROM {item} WHERE product_id IN "  # noqa: S608 - table names, values bound
                f"(SELECT id FROM {product} WHERE sku LIKE %s)",
                [f"{SKU_PREFIX}%"],
            )
            cursor.execute(
                f"DELETE FROM {product} WHERE sku LIKE %s",  # noqa: S608 - table name, value bound
                [f"{SKU_PREFIX}%"],
            )
            # Shuffled (by md5), so the heap is not in SKU order, as after years of syncs.
            cursor.execute(
                f"INSERT INTO {product} (sku, title, created, updated) "  # noqa: S608 - names
                f"SELECT %s || lpad(i::text, 7, '0'), 'Product ' || %s || lpad(i::text, 7, '0'), "
                "now(), now() FROM generate_series(0, %s - 1) AS i ORDER BY md5(i::text)",
                [SKU_PREFIX, SKU_PREFIX, products],
            )
            cursor.execute(
                f"INSERT INTO {item} (product_id, ebay_account_id, ebay_item_id, created, updated) "  # noqa: S608
                f"SELECT p.id, e.id, '', now(), now() FROM {product} p "
                f"CROSS JOIN {ebay} e WHERE p.sku LIKE %s AND e.id = ANY(%s) ORDER BY p.id, e.id",
                [f"{SKU_PREFIX}%", list(sites.values())],
            )
            cursor.execute(
                f"INSERT INTO {stock} (account_id, product_id, item_account_id, sku, region, "  # noqa: S608
                "oc_sku, available_stock, intransit_stock, other_stock, stock_updated, "
                "created_in_oc, stale, created, updated) "
                "SELECT %s, p.id, ia.id, p.sku, e.site_code, 'OC' || lpad(ia.id::text, 13, '0'), "
                'ia.id %% 7, ia.id %% 3, \'{"RSVALOC": 1, "RCVD": 0}\'::jsonb, now(), '
                "ia.id %% 50 <> 0, false, now(), now() "
                f"FROM {item} ia JOIN {product} p ON p.id = ia.product_id "
                f"JOIN {ebay} e ON e.id = ia.ebay_account_id "
                "WHERE p.sku LIKE %s ORDER BY ia.id LIMIT %s",
                [account.pk, f"{SKU_PREFIX}%", rows],
            )
    with connection.cursor() as cursor:
        for name in (product, item, stock):
            cursor.execute(f"VACUUM ANALYZE {name}")


def _superuser_client() -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    user, _ = User.objects.get_or_create(
        username=SUPERUSER, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def measure_review(rows: int = 200_000) -> list[tuple[str, float, int]]:
    """Seed ``rows`` stock rows, then time the review's cases: ``(case, median ms, queries)``.

    Needs Django set up on a dedicated PostgreSQL database (see the module's docstring);
    raises RuntimeError on any other.
    """
    return [(case, median, queries) for case, median, _, queries in _measure(rows)]


def _measure(rows: int) -> list[tuple[str, float, float, int]]:
    """``(case, median ms, best ms, queries)`` per case."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from oc_integration.models import ProductAccountOrangeConnex

    refusal = database_refusal()
    if refusal:
        raise RuntimeError(refusal)
    if rows < 1:
        raise ValueError("rows must be at least 1")
    call_command("migrate", verbosity=0)
    seed_stock_rows(rows)
    middle = ProductAccountOrangeConnex.objects.order_by("sku", "region")[rows // 2]
    changelist = reverse("admin:oc_integration_productaccountorangeconnex_changelist")
    results: list[tuple[str, float, float, int]] = []
    # The test client's host, for this measurement only.
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], DEBUG=False):
        client = _superuser_client()
        for case, query in CASES:
            url = f"{changelist}?{query.format(sku=middle.sku, oc_sku=middle.oc_sku)}"
            _get(client, url)  # warm-up: caches, the planner, the connection
            timings = []
            for _ in range(TIMED_RUNS):
                started = time.perf_counter()
                _get(client, url)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                _get(client, url)
            results.append((case, statistics.median(timings), min(timings), len(queries)))
    return results


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    # The page is rendered when it is read: a template response renders here.
    response.content  # noqa: B018


def print_table(rows: int, results: Sequence[tuple[str, float, float, int]]) -> None:
    """The figures as a Markdown table (the best of the runs too: on a shared machine it
    is the steadier figure)."""
    print(f"Stock review at {rows:,} rows ({TIMED_RUNS} requests per case)")
    print()
    print(f"| case | median ms | best ms | queries | median <= {GOAL_MS:.0f} ms |")
    print("|---|---:|---:|---:|---|")
    for case, median, best, queries in results:
        verdict = "yes" if median <= GOAL_MS else "NO"
        print(f"| {case} | {median:.0f} | {best:.0f} | {queries} | {verdict} |")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 2 when the database is refused."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.stock_review",
        description=(
            "Time the OC stock review at N stock rows. Needs DATABASE_URL naming a dedicated "
            f"PostgreSQL database, e.g. {DEFAULT_DATABASE_URL} (created if missing; its OC "
            "stock table is emptied)."
        ),
    )
    parser.add_argument("--rows", type=int, default=200_000, help="stock rows to seed")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemi_fulfilment.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    refusal = database_refusal()
    if refusal:
        print(f"Not running: {refusal}", file=sys.stderr)
        return 2
    if ensure_postgres_database():
        print("(created the database)")
    started = time.perf_counter()
    results = _measure(args.rows)
    print_table(args.rows, results)
    print()
    print(f"(seed and measurement took {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
