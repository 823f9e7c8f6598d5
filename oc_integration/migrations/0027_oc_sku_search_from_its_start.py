"""The stock review finds an OC SKU from its start: a B-tree on ``UPPER(oc_sku)`` (pattern
operators, so ``LIKE 'OC9%'`` walks it under any collation) replaces the trigram index.

OC SKUs are OC's codes (``OC9000000123456``): a user pastes or types one from its start,
and a part from its middle matches thousands of them. The trigram index cost every new
stock row about fifteen entries in a GIN index; the B-tree costs one. Like migration
0007's indexes it is made as SQL, outside Django's state, on PostgreSQL only.
"""

from django.db import migrations

TABLE = "oc_integration_productaccountorangeconnex"
TRIGRAM = "oc_product_oc_sku_trgm_idx"
PREFIX = "oc_product_oc_sku_prefix_idx"


def _swap(schema_editor, make: str, using: str, drop: str) -> None:
    """Index ``make`` (``using`` its method and operators) in, index ``drop`` out, on
    PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(make)} ON {quote(TABLE)} "
        + using.format(column=f"(UPPER({quote('oc_sku')}))")
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(drop)}")


def use_prefix_index(apps, schema_editor):
    """The prefix index in, the trigram index out."""
    _swap(schema_editor, PREFIX, "({column} text_pattern_ops)", TRIGRAM)


def use_trigram_index(apps, schema_editor):
    """Back to migration 0007's trigram index."""
    _swap(schema_editor, TRIGRAM, "USING gin ({column} gin_trgm_ops)", PREFIX)


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0026_history_lines_without_constraints"),
    ]

    operations = [migrations.RunPython(use_prefix_index, use_trigram_index)]
