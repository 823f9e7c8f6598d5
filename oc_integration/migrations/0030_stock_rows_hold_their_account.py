"""Stock rows keep their link to the OC account without a foreign-key constraint.

The constraint's check ran once for each row a sync inserts, at commit, and always asked
about the same account row: 2,000,000 times in a first sync of a million SKUs. Its two
promises are kept otherwise:

* no stock row names a missing account when it is written: the sync takes the lock such a
  check takes (``FOR KEY SHARE`` on the account row) once, before it plans, and finds the
  account there; deleting an account in Hemi locks it first, so it waits for the sync and
  then deletes all the account's rows (CASCADE);
* no account is deleted while stock rows name it: a trigger on the account table refuses
  it. A deletion by other means that waited for a sync's lock sees the sync's rows once
  it may go on, and is refused.
"""

import django.db.models.deletion
from django.db import migrations, models

ACCOUNTS = "oc_integration_accountorangeconnex"
STOCK = "oc_integration_productaccountorangeconnex"
TRIGGER = "oc_account_without_stock_rows"
MESSAGE = "an OC account that still has stock rows cannot be deleted: delete its stock rows first"


def create_trigger(apps, schema_editor):
    """The account table refuses to lose an account its stock rows name."""
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"  # noqa: S608
            " BEGIN"
            "  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NULL; END IF;"
            # A function's queries each see what was committed when they start: a deletion
            # that waited for a sync's lock sees the rows that sync wrote.
            f"  IF EXISTS (SELECT 1 FROM {quote(STOCK)} WHERE account_id = OLD.id) THEN"
            f"   RAISE foreign_key_violation USING MESSAGE = '{MESSAGE}',"
            "    DETAIL = 'Stock rows name account ' || OLD.id || '.';"
            "  END IF;"
            "  RETURN NULL;"
            " END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER DELETE OR UPDATE OF id ON {quote(ACCOUNTS)}"
            f" FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER DELETE ON {quote(ACCOUNTS)} FOR EACH ROW"  # noqa: S608
            f" WHEN EXISTS (SELECT 1 FROM {quote(STOCK)} WHERE account_id = OLD.id)"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def drop_trigger(apps, schema_editor):
    """Back to the foreign-key constraint alone."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema_editor.quote_name(ACCOUNTS)}"
        )
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0029_oc_sku_one_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="products",
                to="oc_integration.accountorangeconnex",
                verbose_name="OC account",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
