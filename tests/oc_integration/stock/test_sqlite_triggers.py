"""The demo's database (SQLite) migrates from nothing, and keeps the stock rows' promises
that PostgreSQL keeps with triggers and locks: no account or product that stock rows name
is deleted, and a deleted listing's rows lose their link (migrations 0030 and 0031)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Run in a Django of its own on the fresh SQLite database; prints what happened as JSON.
CHECK = """
import json
from django.db import IntegrityError, connection, transaction
from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex

account = AccountOrangeConnex.objects.create(
    name="Demo", client_key="demo", api_base_url="https://oc.example/openapi",
    oauth_base_url="https://oc.example",
)
ebay = EbayAccount.objects.create(name="eBay UK", site_code="UK", site_id=3)
product = Product.objects.create(sku="SQ-1", title="Product SQ-1")
listing = ItemAccount.objects.create(product=product, ebay_account=ebay)
row = ProductAccountOrangeConnex.objects.create(
    account=account, product=product, item_account=listing, sku="SQ-1", region="UK"
)
refused = []
for table, pk in (("catalog_product", product.pk), ("oc_integration_accountorangeconnex", account.pk)):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    except IntegrityError as exc:
        refused.append(str(exc))
listing.delete()
row.refresh_from_db()
product.delete()
print(json.dumps({
    "refused": refused,
    "link_after_listing_deleted": row.item_account_id,
    "rows_after_product_deleted": ProductAccountOrangeConnex.objects.count(),
}))
"""


def _manage(args: list[str], database: Path, var: Path) -> str:
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "locmemcache://",
        "VAR_DIR": str(var),
        "IGNORE_DOTENV": "true",
        "DEBUG": "true",
    }
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_demo_database_migrates_and_keeps_stock_rows_pointing_at_what_exists(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.sqlite3"
    _manage(["migrate", "-v0"], database, tmp_path)
    outcome = json.loads(_manage(["shell", "-c", CHECK], database, tmp_path).splitlines()[-1])
    assert outcome == {
        "refused": [
            "a product that still has OC stock rows cannot be deleted: delete its stock rows first",
            "an OC account that still has stock rows cannot be deleted: "
            "delete its stock rows first",
        ],
        "link_after_listing_deleted": None,
        "rows_after_product_deleted": 0,
    }
