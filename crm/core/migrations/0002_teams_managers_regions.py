"""Teams get several managers, archiving and a region from the tenant's region list.

Data: each team's single manager becomes its first manager; the distinct free-text regions
in use (teams, accounts, leads, assignment rules) become the tenant's region list, so the
list starts out matching the data, and each team points at its region row.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def _distinct_regions(apps) -> dict[str, str]:
    """casefolded name -> first spelling seen, over every free-text region column."""
    sources = [
        ("crm_core", "Team", "region_text"),
        ("crm_accounts", "Account", "region"),
        ("crm_leads", "Lead", "region"),
        ("crm_leads", "AssignmentRule", "match_region"),
    ]
    names: dict[str, str] = {}
    for app_label, model_name, field in sources:
        model = apps.get_model(app_label, model_name)
        values = model.objects.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        for value in values.iterator():
            cleaned = (value or "").strip()[:100]
            if cleaned:
                names.setdefault(cleaned.casefold(), cleaned)
    return names


def forwards(apps, schema_editor) -> None:
    Team = apps.get_model("crm_core", "Team")
    Region = apps.get_model("crm_core", "Region")
    by_key: dict[str, object] = {}
    for key, name in sorted(_distinct_regions(apps).items()):
        by_key[key] = Region.objects.create(name=name)
    for team in Team.objects.all():
        if team.manager_id is not None:
            team.managers.add(team.manager_id)
        key = (team.region_text or "").strip()[:100].casefold()
        if key:
            team.region = by_key[key]
            team.save(update_fields=["region"])


def backwards(apps, schema_editor) -> None:
    Team = apps.get_model("crm_core", "Team")
    for team in Team.objects.select_related("region"):
        team.manager_id = team.managers.order_by("pk").values_list("pk", flat=True).first()
        team.region_text = team.region.name if team.region_id else ""
        team.save(update_fields=["manager", "region_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("crm_core", "0001_initial"),
        ("crm_accounts", "0003_name_trigram_index"),
        ("crm_leads", "0002_lead_converted_opportunity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("parent", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="territories", to="crm_core.region",
                    verbose_name="part of region")),
            ],
            options={
                "verbose_name": "region",
                "verbose_name_plural": "regions",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(django.db.models.functions.text.Lower("name"),
                                            name="region_name_unique_ci"),
                    models.CheckConstraint(condition=models.Q(("parent", models.F("id")),
                                                              _negated=True),
                                           name="region_not_own_parent"),
                ],
            },
        ),
        # The old single manager keeps no reverse accessor while both exist.
        migrations.AlterField(
            model_name="team", name="manager",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="manager"),
        ),
        migrations.AddField(
            model_name="team", name="managers",
            field=models.ManyToManyField(blank=True, related_name="managed_teams",
                                         to=settings.AUTH_USER_MODEL, verbose_name="managers"),
        ),
        migrations.AddField(
            model_name="team", name="archived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="archived"),
        ),
        migrations.RenameField(model_name="team", old_name="region", new_name="region_text"),
        migrations.AddField(
            model_name="team", name="region",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="teams", to="crm_core.region",
                                    verbose_name="region"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="team", name="manager"),
        migrations.RemoveField(model_name="team", name="region_text"),
        migrations.AlterField(
            model_name="team", name="name",
            field=models.CharField(max_length=120, verbose_name="name"),
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                condition=models.Q(("archived_at__isnull", True)),
                name="team_name_unique_among_active"),
        ),
    ]
