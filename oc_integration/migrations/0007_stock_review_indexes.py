"""Indexes of the stock review: its default order, and its SKU / OC SKU search.

The search indexes are trigram (pg_trgm, GIN) indexes on ``UPPER(column)``, the
expression Django's ``icontains`` compares (``UPPER(col::text) LIKE UPPER(%s)``). They
exist on PostgreSQL only and are made here as SQL, outside Django's migration state:
SQLite (the demo) has neither GIN nor pg_trgm, and an index in the state would be
rebuilt by every later SQLite table remake of this model.
"""

from django.db import migrations, models

TABLE = "oc_integration_productaccountorangeconnex"
# index name -> column whose UPPER() it indexes
TRIGRAM_INDEXES = {
    "oc_product_sku_trgm_idx": "sku",
    "oc_product_oc_sku_trgm_idx": "oc_sku",
}


def create_trigram_indexes(apps, schema_editor):
    """pg_trgm and the search indexes, on PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(TABLE)} "
            f"USING gin ((UPPER({quote(column)})) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    """The indexes go; pg_trgm stays (other objects of the database may use it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0006_stock_row_sku"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="productaccountorangeconnex",
            options={
                "ordering": ["sku", "region"],
                "verbose_name": "Product Account Orange Connex",
                "verbose_name_plural": "Products Account Orange Connex",
            },
        ),
        migrations.AddIndex(
            model_name="productaccountorangeconnex",
            index=models.Index(fields=["sku", "region", "-id"], name="oc_product_review_order_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
