"""Any part of a product's SKU is found through an index: a trigram index (pg_trgm, GIN)
on ``UPPER(sku)``, the expression Django's ``icontains`` compares.

The OC stock review searches its rows by SKU through the products (each SKU once), so
the stock rows, which a sync writes by the million, carry no trigram index of their own.
Made as SQL on PostgreSQL only, outside Django's state, like the stock review's other
search indexes: SQLite (the demo) has neither GIN nor pg_trgm.
"""

from django.db import migrations

TABLE = "catalog_product"
INDEX = "catalog_product_sku_trgm_idx"


def create_index(apps, schema_editor):
    """pg_trgm and the index, on PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(INDEX)} ON {quote(TABLE)} "
        f"USING gin ((UPPER({quote('sku')})) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    """The index goes; pg_trgm stays (other objects of the database may use it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_ebay_account_per_seller"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
