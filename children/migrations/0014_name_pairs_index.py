"""A GIN index of the character pairs of every child's name, on PostgreSQL (issue 14): the children list's name
search ``name LIKE '%王芳%'`` could use no index below three characters (a trigram needs three), so a two-character
name at province scope read the whole table. ``child_name_pairs(text)`` is the one definition of the pairs; the
list asks for names whose pairs hold all of the query's pairs (`children.selectors`), then LIKE keeps the exact
matches. On SQLite nothing happens."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION child_name_pairs(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT substr($1, i, 2)), '{}')
      FROM generate_series(1, char_length($1) - 1) AS i
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute("CREATE INDEX child_name_pairs_idx ON children_child USING gin (child_name_pairs(name))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS child_name_pairs_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS child_name_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [("children", "0013_partition_access_log")]

    operations = [migrations.RunPython(forwards, backwards)]
