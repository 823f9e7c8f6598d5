import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0020_outbound_fees"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="OwnLabel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "carrier",
                    models.CharField(help_text="The carrier whose label this is.", max_length=64),
                ),
                ("tracking_number", models.CharField(max_length=64)),
                ("file_name", models.CharField(max_length=255, verbose_name="label file")),
                ("file_type", models.CharField(max_length=8, verbose_name="file type")),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("content", models.BinaryField(editable=False)),
                ("sha256", models.CharField(editable=False, max_length=64, verbose_name="SHA-256")),
                ("attached_at", models.DateTimeField(auto_now=True)),
                (
                    "attached_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "outbound_order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="own_label",
                        to="oc_integration.outboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "own label",
                "verbose_name_plural": "own labels",
                "permissions": [
                    ("attach_ownlabel", "Can attach the seller's own label to outbound orders")
                ],
            },
        ),
    ]
