"""Prints, as JSON, every index of a database built either by the migrations or by
Tortoise.generate_schemas from the models: `python -m tests.schema_indexes migrate|models URL`.
Run in its own process because migrate() closes Tortoise's connections."""
from __future__ import annotations

import asyncio
import json
import sys

from tortoise import Tortoise

from samskapa import db

SQLITE_INDEXES = """
SELECT m.name AS tbl, il.name AS idx, il."unique" AS uniq, ii.seqno AS seq, ii.name AS col
FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'tortoise_%'
"""
POSTGRES_INDEXES = """
SELECT t.relname AS tbl, i.relname AS idx, x.indisunique AS uniq, k.ord AS seq, a.attname AS col
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE n.nspname = 'public' AND t.relname NOT LIKE 'tortoise_%'
"""


async def indexes(url: str) -> list[list]:
    """(table, columns, unique) for each index, sorted; names left out (SQLite names the
    indexes of inline UNIQUE constraints itself)."""
    await db.init_db(url)
    conn = Tortoise.get_connection("default")
    sqlite = conn.capabilities.dialect == "sqlite"
    rows = await conn.execute_query_dict(SQLITE_INDEXES if sqlite else POSTGRES_INDEXES)
    await db.close_db()
    found: dict[tuple[str, str], dict] = {}
    for row in rows:
        entry = found.setdefault((row["tbl"], row["idx"]),
                                 {"uniq": bool(row["uniq"]), "cols": {}})
        entry["cols"][int(row["seq"])] = row["col"]
    return sorted([table, [c for _, c in sorted(e["cols"].items())], e["uniq"]]
                  for (table, _), e in found.items())


async def main(how: str, url: str) -> None:
    if how == "migrate":
        await db.migrate(url)
    else:
        await db.init_db(url)
        await Tortoise.generate_schemas(safe=False)
        await db.close_db()
    print(json.dumps(await indexes(url)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
