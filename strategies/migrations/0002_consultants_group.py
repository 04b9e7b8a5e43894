from django.db import migrations


def create_consultants_group(apps, schema_editor):
    # Members of this group may create projects (see strategies/rules.py).
    apps.get_model("auth", "Group").objects.get_or_create(name="consultants")


class Migration(migrations.Migration):
    dependencies = [("strategies", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_consultants_group, migrations.RunPython.noop)]
