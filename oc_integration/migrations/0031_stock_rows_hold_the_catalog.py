"""Stock rows keep their links to the product and its listing without foreign-key constraints.

The two constraints' checks ran once for each row a sync inserts, at commit: 4,000,000
look-ups for a first sync of a million SKUs, a fifth of its time. Their promises are kept
otherwise:

* no stock row names a missing product or item account when it is written: a sync holds
  the catalog (``hold_catalog``), one advisory lock taken shared, before it resolves SKUs;
  deleting products, item accounts or stock rows takes the same lock exclusively (the
  statement triggers below), so it waits for the syncs under way, and a sync that starts
  meanwhile waits for the deletion and then no longer finds what it deleted;
* no product is deleted while stock rows name it: a trigger refuses it (Hemi deletes a
  product's rows first, CASCADE); a deletion that waited for a sync sees the rows the
  sync wrote, and is refused;
* a deleted item account's rows lose their link (what SET NULL did), rows written
  meanwhile by a sync included.

Stock rows are deleted with that lock taken first, before any row is touched: a deletion
that held rows a sync must update, and then waited for the sync, would deadlock.

SQLite remakes a table to alter it, and refuses while a trigger elsewhere names the
table: the account trigger of 0030 goes before the stock table is remade here and comes
back after. A later migration that remakes the stock table on SQLite must do the same
with these triggers, and one that remakes the product or item account table (which drops
its triggers) must create them again.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

ACCOUNT_TRIGGERS = import_module("oc_integration.migrations.0030_stock_rows_hold_their_account")

PRODUCTS = "catalog_product"
ITEM_ACCOUNTS = "catalog_itemaccount"
STOCK = "oc_integration_productaccountorangeconnex"
#: oc_integration.stock.writer.CATALOG_LOCK (ASCII "OCSTOCKS"), spelled out: a migration
#: keeps the value it was written with.
CATALOG_LOCK = 0x4F43_5354_4F43_4B53
LOCK = "oc_stock_catalog_lock"
PRODUCT_TRIGGER = "oc_product_without_stock_rows"
ITEM_ACCOUNT_TRIGGER = "oc_item_account_unlinks_stock_rows"
PRODUCT_MESSAGE = (
    "a product that still has OC stock rows cannot be deleted: delete its stock rows first"
)
ITEM_ACCOUNT_MESSAGE = "an item account that OC stock rows name cannot change its id"


def create_triggers(apps, schema_editor):
    """The catalog waits for the syncs under way before it loses a product or a listing,
    refuses to lose a product its stock rows name, and unlinks a listing's rows."""
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run = schema_editor.execute
        run(
            f"CREATE OR REPLACE FUNCTION {LOCK}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN PERFORM pg_advisory_xact_lock({CATALOG_LOCK}); RETURN NULL; END $$"
        )
        for table, events in (
            (PRODUCTS, "DELETE OR UPDATE OF id"),
            (ITEM_ACCOUNTS, "DELETE OR UPDATE OF id"),
            # Only deletions: syncs update stock rows while they hold the lock shared.
            (STOCK, "DELETE"),
        ):
            run(
                f"CREATE TRIGGER {LOCK} BEFORE {events} ON {quote(table)}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {LOCK}()"
            )
        # A function's queries each see what was committed when they start: a deletion
        # that waited for a sync sees the rows that sync wrote.
        run(
            f"CREATE OR REPLACE FUNCTION {PRODUCT_TRIGGER}() RETURNS trigger LANGUAGE plpgsql"  # noqa: S608
            " AS $$ BEGIN"
            "  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NULL; END IF;"
            f"  IF EXISTS (SELECT 1 FROM {quote(STOCK)} WHERE product_id = OLD.id) THEN"
            f"   RAISE foreign_key_violation USING MESSAGE = '{PRODUCT_MESSAGE}',"
            "    DETAIL = 'Stock rows name product ' || OLD.id || '.';"
            "  END IF;"
            "  RETURN NULL;"
            " END $$"
        )
        run(
            f"CREATE TRIGGER {PRODUCT_TRIGGER} AFTER DELETE OR UPDATE OF id ON {quote(PRODUCTS)}"
            f" FOR EACH ROW EXECUTE FUNCTION {PRODUCT_TRIGGER}()"
        )
        run(
            f"CREATE OR REPLACE FUNCTION {ITEM_ACCOUNT_TRIGGER}() RETURNS trigger"  # noqa: S608
            " LANGUAGE plpgsql AS $$ BEGIN"
            "  IF TG_OP = 'UPDATE' THEN"
            "   IF NEW.id <> OLD.id AND EXISTS"
            f"    (SELECT 1 FROM {quote(STOCK)} WHERE item_account_id = OLD.id) THEN"
            f"    RAISE foreign_key_violation USING MESSAGE = '{ITEM_ACCOUNT_MESSAGE}';"
            "   END IF;"
            "   RETURN NULL;"
            "  END IF;"
            f"  UPDATE {quote(STOCK)} SET item_account_id = NULL WHERE item_account_id = OLD.id;"
            "  RETURN NULL;"
            " END $$"
        )
        run(
            f"CREATE TRIGGER {ITEM_ACCOUNT_TRIGGER} AFTER DELETE OR UPDATE OF id"
            f" ON {quote(ITEM_ACCOUNTS)} FOR EACH ROW EXECUTE FUNCTION {ITEM_ACCOUNT_TRIGGER}()"
        )
    elif vendor == "sqlite":
        ACCOUNT_TRIGGERS.create_trigger(apps, schema_editor)
        # One writer at a time: nothing to wait for.
        schema_editor.execute(
            f"CREATE TRIGGER {PRODUCT_TRIGGER} AFTER DELETE ON {quote(PRODUCTS)} FOR EACH ROW"  # noqa: S608
            f" WHEN EXISTS (SELECT 1 FROM {quote(STOCK)} WHERE product_id = OLD.id)"
            f" BEGIN SELECT RAISE(ABORT, '{PRODUCT_MESSAGE}'); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {ITEM_ACCOUNT_TRIGGER} AFTER DELETE ON {quote(ITEM_ACCOUNTS)}"  # noqa: S608
            f" FOR EACH ROW BEGIN UPDATE {quote(STOCK)} SET item_account_id = NULL"
            " WHERE item_account_id = OLD.id; END"
        )


def drop_triggers(apps, schema_editor):
    """Back to the foreign-key constraints alone."""
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in (PRODUCTS, ITEM_ACCOUNTS, STOCK):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {LOCK} ON {quote(table)}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {PRODUCT_TRIGGER} ON {quote(PRODUCTS)}")
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {ITEM_ACCOUNT_TRIGGER} ON {quote(ITEM_ACCOUNTS)}"
        )
        for function in (LOCK, PRODUCT_TRIGGER, ITEM_ACCOUNT_TRIGGER):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
    elif vendor == "sqlite":
        # 0030's too, before the stock table is remade.
        for trigger in (PRODUCT_TRIGGER, ITEM_ACCOUNT_TRIGGER, ACCOUNT_TRIGGERS.TRIGGER):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def drop_account_trigger_on_sqlite(apps, schema_editor):
    """SQLite: 0030's trigger names the stock table, which is about to be remade."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {ACCOUNT_TRIGGERS.TRIGGER}")


def create_account_trigger_on_sqlite(apps, schema_editor):
    """SQLite: 0030's trigger back, once the stock table was remade as it was."""
    if schema_editor.connection.vendor == "sqlite":
        ACCOUNT_TRIGGERS.create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_product_sku_search"),
        ("oc_integration", "0030_stock_rows_hold_their_account"),
    ]

    operations = [
        migrations.RunPython(drop_account_trigger_on_sqlite, create_account_trigger_on_sqlite),
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="item_account",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The product's listing on the eBay account this region serves, if any.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="oc_products",
                to="catalog.itemaccount",
            ),
        ),
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="product",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oc_stock",
                to="catalog.product",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
