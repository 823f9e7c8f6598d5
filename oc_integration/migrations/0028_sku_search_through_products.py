"""The stock review finds a SKU through the products' trigram index (catalog migration
0003): the stock rows' own trigram index (migration 0007) goes.

A first sync of a million SKUs in two regions wrote 2,000,000 rows into that GIN index,
about fifteen entries each, for a tenth of its time; the products' index holds each SKU
once and is written only when Hemi's catalog changes. PostgreSQL only, as SQL, like 0007.
"""

from django.db import migrations

TABLE = "oc_integration_productaccountorangeconnex"
INDEX = "oc_product_sku_trgm_idx"


def drop_index(apps, schema_editor):
    """The stock rows' SKU trigram index out."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX)}")


def create_index(apps, schema_editor):
    """Back to migration 0007's index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(INDEX)} ON {quote(TABLE)} "
        f"USING gin ((UPPER({quote('sku')})) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_product_sku_search"),
        ("oc_integration", "0027_oc_sku_search_from_its_start"),
    ]

    operations = [migrations.RunPython(drop_index, create_index)]
