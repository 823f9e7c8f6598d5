from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("oc_integration", "0022_routing")]

    operations = [
        migrations.AlterModelOptions(
            name="webhookdelivery",
            options={
                "ordering": ["-received_at", "-id"],
                "permissions": [("replay_webhookdelivery", "Can replay failed OC callbacks")],
                "verbose_name": "OC callback",
                "verbose_name_plural": "OC callbacks",
            },
        ),
        migrations.AlterModelOptions(
            name="shippingservice",
            options={
                "ordering": ["region", "code"],
                "permissions": [
                    ("refresh_shippingservice", "Can fetch OC's shipping services now")
                ],
                "verbose_name": "OC shipping service",
                "verbose_name_plural": "OC shipping services",
            },
        ),
    ]
