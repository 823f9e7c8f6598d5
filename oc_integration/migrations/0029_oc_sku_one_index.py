"""One index on the OC SKU instead of two: a B-tree with pattern operators serves both the
look-ups of OC SKUs (``=``, ``IN``) and the review's search for one from its start
(``LIKE 'OC9%'``), so migration 0027's ``UPPER(oc_sku)`` index goes.

OC's codes are upper case (``OC`` and digits): the review upper-cases what is typed
instead of comparing ``UPPER(oc_sku)``. Every row a sync creates costs one index entry
fewer.
"""

from django.db import migrations, models

TABLE = "oc_integration_productaccountorangeconnex"
PREFIX = "oc_product_oc_sku_prefix_idx"


def drop_prefix_index(apps, schema_editor):
    """Migration 0027's index out (PostgreSQL only, where it was made)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(PREFIX)}")


def create_prefix_index(apps, schema_editor):
    """Back to migration 0027's index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(PREFIX)} ON {quote(TABLE)} "
        f"((UPPER({quote('oc_sku')})) text_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0028_sku_search_through_products"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="productaccountorangeconnex",
            name="oc_product_oc_sku_idx",
        ),
        migrations.AddIndex(
            model_name="productaccountorangeconnex",
            index=models.Index(
                fields=["oc_sku"], name="oc_product_oc_sku_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunPython(drop_prefix_index, create_prefix_index),
    ]
