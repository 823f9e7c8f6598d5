import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0021_own_label_orders"),
        ("orders", "0003_ebay_vault_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RoutingAccount",
            fields=[],
            options={
                "verbose_name": "Automatic routing",
                "verbose_name_plural": "Automatic routing",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("oc_integration.accountorangeconnex",),
        ),
        migrations.CreateModel(
            name="AutomaticRouting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_on", models.BooleanField(default=False, verbose_name="on")),
                (
                    "max_order_age_days",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="Older orders are never routed on their own: push them by hand.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="orders of the last (days)",
                    ),
                ),
                ("turned_on_at", models.DateTimeField(blank=True, null=True)),
                ("turned_off_at", models.DateTimeField(blank=True, null=True)),
                ("rules_changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "last_run_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last run"),
                ),
                (
                    "last_run_outcome",
                    models.TextField(blank=True, verbose_name="last run's outcome"),
                ),
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="automatic_routing",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "turned_on_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "Automatic routing",
                "verbose_name_plural": "Automatic routing",
            },
        ),
        migrations.CreateModel(
            name="RoutingRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text='As staff read it, e.g. "UK web shop".', max_length=100
                    ),
                ),
                (
                    "priority",
                    models.PositiveSmallIntegerField(
                        default=100, help_text="Rules are tried from the lowest number up."
                    ),
                ),
                ("enabled", models.BooleanField(default=True)),
                (
                    "channels",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Empty: every channel.",
                        verbose_name="sales channels",
                    ),
                ),
                (
                    "ebay_sites",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='eBay site codes ("UK", "DE"); empty: any. Set, only eBay '
                        "orders match.",
                        verbose_name="eBay sites",
                    ),
                ),
                (
                    "countries",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="ISO country codes (GB, DE, …); empty: every country.",
                        verbose_name="destination countries",
                    ),
                ),
                (
                    "fallback_region",
                    models.CharField(
                        blank=True,
                        help_text="Ship from this OC region when the order's own region lacks "
                        "the stock.",
                        max_length=50,
                        verbose_name="fallback region",
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="routing_rules",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
            ],
            options={
                "verbose_name": "Routing rule",
                "verbose_name_plural": "Routing rules",
                "ordering": ["account", "priority", "id"],
                "permissions": [
                    (
                        "manage_routing",
                        "Can manage automatic routing to Orange Connex (rules, turning it on)",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RoutingCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(blank=True, max_length=50, verbose_name="ships from")),
                (
                    "outcome",
                    models.TextField(help_text="What routing did, or why it did not, in words."),
                ),
                ("checked_at", models.DateTimeField(verbose_name="checked")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="routing_checks",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="routing_checks",
                        to="orders.order",
                        verbose_name="Hemi order",
                    ),
                ),
                (
                    "outbound_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="routing_checks",
                        to="oc_integration.outboundorder",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        help_text="The rule that sent the order to OC; empty: not routed.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checks",
                        to="oc_integration.routingrule",
                    ),
                ),
            ],
            options={
                "verbose_name": "Routing check",
                "verbose_name_plural": "Routing checks",
                "ordering": ["-checked_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "order"), name="routing_check_one_per_order"
                    )
                ],
            },
        ),
    ]
