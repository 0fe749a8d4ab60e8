"""Challenge search text is folded now (case and diacritics, see challenges.models.fold):
recompute it for challenges saved before, so that 'sodertalje' finds them too."""
from tortoise import migrations
from tortoise.migrations import operations as ops


async def fold_search_text(apps, schema_editor) -> None:
    from challenges.models import Challenge

    client = schema_editor.client
    rows = await client.execute_query_dict(
        'SELECT "c"."id", "c"."title", "c"."summary", "o"."name" FROM "challenges" "c" '
        'LEFT JOIN "organisations" "o" ON "o"."id" = "c"."organisation_id"')
    placeholders = ("$1", "$2") if client.capabilities.dialect == "postgres" else ("?", "?")
    for row in rows:
        await client.execute_query(
            f'UPDATE "challenges" SET "search_text" = {placeholders[0]} '
            f'WHERE "id" = {placeholders[1]}',
            [Challenge.make_search_text(row["title"], row["summary"], row["name"] or ""),
             row["id"]])


class Migration(migrations.Migration):
    dependencies = [("models", "0006_input")]

    operations = [
        ops.RunPython(fold_search_text, reverse_code=ops.RunPython.noop),
    ]
