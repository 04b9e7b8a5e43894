"""On PostgreSQL, approved (and superseded) versions are guarded by the database itself.

The ORM guards (save(), QuerySet.update()/delete(), admin) refuse every change
to a decided version; this trigger refuses the same even for plain SQL. The
exceptions are the approved → superseded step with nothing else changed, clearing
the link to a deleted user account (created_by, submitted_by: ON DELETE SET NULL)
with nothing else changed, and a project deletion that declares itself with
`SET LOCAL pbsm.deleting_project = 'on'` (strategies.services.projects.project_delete).
SQLite has no such triggers here; its installations rely on the ORM guards.
"""

from django.db import migrations

GUARD_SQL = """
CREATE OR REPLACE FUNCTION pbsm_guard_decided_version() RETURNS trigger AS $$
BEGIN
    IF current_setting('pbsm.deleting_project', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('approved', 'superseded') THEN
            RAISE EXCEPTION 'strategy version % is decided and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    -- Deleting a user account clears its links (ON DELETE SET NULL); nothing else may change with it.
    -- Who submitted and decided stays in the transitions and decisions by name.
    IF TG_OP = 'UPDATE' AND OLD.status IN ('approved', 'superseded')
       AND (NEW.created_by_id IS NULL OR NEW.created_by_id = OLD.created_by_id)
       AND (NEW.submitted_by_id IS NULL OR NEW.submitted_by_id = OLD.submitted_by_id)
       AND (to_jsonb(NEW) - 'created_by_id' - 'submitted_by_id') = (to_jsonb(OLD) - 'created_by_id' - 'submitted_by_id') THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'approved' THEN
        IF NEW.status = 'superseded'
           AND (to_jsonb(NEW) - 'status' - 'updated_at') = (to_jsonb(OLD) - 'status' - 'updated_at') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'strategy version % is approved and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status = 'superseded' AND (to_jsonb(NEW) - 'updated_at') <> (to_jsonb(OLD) - 'updated_at') THEN
        RAISE EXCEPTION 'strategy version % is superseded and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER pbsm_guard_decided_version
    BEFORE UPDATE OR DELETE ON strategies_strategyversion
    FOR EACH ROW EXECUTE FUNCTION pbsm_guard_decided_version();

CREATE OR REPLACE FUNCTION pbsm_guard_decided_version_options() RETURNS trigger AS $$
DECLARE
    touched bigint[];
BEGIN
    IF current_setting('pbsm.deleting_project', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY[NEW.version_id];
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY[OLD.version_id];
    ELSE
        touched := ARRAY[OLD.version_id, NEW.version_id];
    END IF;
    IF EXISTS (
        SELECT 1 FROM strategies_strategyversion
        WHERE id = ANY(touched) AND status IN ('approved', 'superseded')
    ) THEN
        RAISE EXCEPTION 'the options of a decided strategy version cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER pbsm_guard_decided_version_options
    BEFORE INSERT OR UPDATE OR DELETE ON strategies_versionoption
    FOR EACH ROW EXECUTE FUNCTION pbsm_guard_decided_version_options();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS pbsm_guard_decided_version_options ON strategies_versionoption;
DROP FUNCTION IF EXISTS pbsm_guard_decided_version_options();
DROP TRIGGER IF EXISTS pbsm_guard_decided_version ON strategies_strategyversion;
DROP FUNCTION IF EXISTS pbsm_guard_decided_version();
"""


def _run(schema_editor, sql):
    # No parameters: the SQL's own "%" placeholders are PL/pgSQL's, not the driver's.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def install(apps, schema_editor):
    _run(schema_editor, GUARD_SQL)


def remove(apps, schema_editor):
    _run(schema_editor, DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("strategies", "0004_version_transitions")]

    operations = [migrations.RunPython(install, remove)]
