import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0023_replay_and_fetch_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="products",
                to="oc_integration.accountorangeconnex",
                verbose_name="OC account",
            ),
        ),
        migrations.AlterField(
            model_name="stockhistory",
            name="run",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stock_history",
                to="oc_integration.syncrun",
            ),
        ),
        migrations.AlterField(
            model_name="stockhistory",
            name="stock",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="history",
                to="oc_integration.productaccountorangeconnex",
                verbose_name="stock row",
            ),
        ),
    ]
