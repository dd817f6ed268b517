"""Licence templates: a template's row, its licences and its groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.templates import Template
from . import tables as t
from .rows import utc

lt, tl, tg = t.licence_templates, t.template_licences, t.template_groups


def load_templates(conn: Connection, org_id: str) -> list[Template]:
    """The organisation's templates, oldest first, each with its licences and groups (three
    statements for all of them, not two per template)."""
    rows = conn.execute(
        select(lt).where(lt.c.org_id == org_id).order_by(lt.c.created, lt.c.id)
    ).all()
    lic: dict[str, list[str]] = {r.id: [] for r in rows}
    grp: dict[str, list[str]] = {r.id: [] for r in rows}
    if rows:
        ids = list(lic)
        for r in conn.execute(select(tl).where(tl.c.template_id.in_(ids))):
            lic[r.template_id].append(r.licence_id)
        for r in conn.execute(select(tg).where(tg.c.template_id.in_(ids))):
            grp[r.template_id].append(r.group_id)
    return [
        Template(
            r.id,
            r.org_id,
            r.name,
            r.type,
            tuple(sorted(lic[r.id])),
            tuple(sorted(grp[r.id])),
            r.location_id,
            utc(r.created),
        )
        for r in rows
    ]


def org_of(conn: Connection, template_id: str) -> str | None:
    """The template's organisation, or None for no such template."""
    return conn.execute(select(lt.c.org_id).where(lt.c.id == template_id)).scalar()


def known_groups(conn: Connection, org_id: str, group_ids: Sequence[str]) -> set[str]:
    """Those of ``group_ids`` that are groups of the organisation."""
    return set(
        conn.execute(
            select(t.groups.c.id).where(
                t.groups.c.org_id == org_id, t.groups.c.id.in_(list(group_ids))
            )
        ).scalars()
    )


@dataclass(frozen=True)
class TemplateRow:
    """What a save writes: the template's own columns and its licences and groups."""

    id: str
    org_id: str
    name: str
    type: str
    location_id: str | None
    licence_ids: Sequence[str]
    group_ids: Sequence[str]


def insert_template(conn: Connection, row: TemplateRow, now: datetime) -> None:
    conn.execute(
        insert(lt).values(
            id=row.id,
            org_id=row.org_id,
            name=row.name,
            type=row.type,
            location_id=row.location_id,
            created=now,
            updated=now,
        )
    )
    _links(conn, row)


def replace_template(conn: Connection, row: TemplateRow, now: datetime) -> None:
    """The template's columns rewritten and its licences and groups replaced whole."""
    conn.execute(
        update(lt)
        .where(lt.c.id == row.id)
        .values(name=row.name, type=row.type, location_id=row.location_id, updated=now)
    )
    conn.execute(delete(tl).where(tl.c.template_id == row.id))
    conn.execute(delete(tg).where(tg.c.template_id == row.id))
    _links(conn, row)


def _links(conn: Connection, row: TemplateRow) -> None:
    for lid in dict.fromkeys(row.licence_ids):
        conn.execute(insert(tl).values(template_id=row.id, licence_id=lid))
    for gid in dict.fromkeys(row.group_ids):
        conn.execute(insert(tg).values(template_id=row.id, group_id=gid))


def delete_template(conn: Connection, template_id: str) -> None:
    conn.execute(delete(tl).where(tl.c.template_id == template_id))
    conn.execute(delete(tg).where(tg.c.template_id == template_id))
    conn.execute(delete(lt).where(lt.c.id == template_id))
