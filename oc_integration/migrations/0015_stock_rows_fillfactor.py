from django.db import migrations

TABLE = "oc_integration_productaccountorangeconnex"


def leave_room_on_each_page(apps, schema_editor):
    """A sync rewrites only changed rows; free room on their page lets PostgreSQL keep
    the new version there (a HOT update, no index touched). PostgreSQL only."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(TABLE)} SET (fillfactor = 80)"
        )


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0014_stock_row_product_required"),
    ]

    operations = [migrations.RunPython(leave_room_on_each_page, fill_pages)]
