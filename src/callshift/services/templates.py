"""Licence templates: read, create, replace, delete; the template a new user gets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from ..db import tables as t
from ..db.rows import utc
from ..domain import errors as E
from ..domain.errors import DomainError, InvalidInput, NotFound
from ..domain.templates import Template, check_template, template_for
from .context import Ctx, new_id


class TemplateConflict(DomainError):
    status = 409
    code = E.TEMPLATE_CONFLICT


def load_templates(conn, org_id: str) -> list[Template]:
    rows = conn.execute(
        select(t.licence_templates)
        .where(t.licence_templates.c.org_id == org_id)
        .order_by(t.licence_templates.c.created, t.licence_templates.c.id)
    ).all()
    lic = {r.id: [] for r in rows}
    grp = {r.id: [] for r in rows}
    if rows:
        ids = list(lic)
        for r in conn.execute(
            select(t.template_licences).where(t.template_licences.c.template_id.in_(ids))
        ):
            lic[r.template_id].append(r.licence_id)
        for r in conn.execute(
            select(t.template_groups).where(t.template_groups.c.template_id.in_(ids))
        ):
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


def list_templates(ctx: Ctx, org_id: str | None = None) -> list[Template]:
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        return load_templates(uow.conn, org_id)


def get_template(ctx: Ctx, template_id: str) -> Template:
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _find(ctx, uow.conn, template_id)


def _find(ctx: Ctx, conn, template_id: str) -> Template:
    org = conn.execute(
        select(t.licence_templates.c.org_id).where(t.licence_templates.c.id == template_id)
    ).scalar()
    if org is None or org not in ctx.principal.org_ids:
        raise NotFound(f"licence template {template_id} not found")
    return next(x for x in load_templates(conn, org) if x.id == template_id)


def _check(
    ctx: Ctx,
    uow,
    org_id: str,
    type_: str,
    licence_ids,
    group_ids,
    location_id,
    template_id: str | None,
) -> None:
    if type_ not in ("ORG", "GROUP"):
        raise InvalidInput("templateType is ORG or GROUP")
    check_template(
        licence_ids, uow.store.licences(org_id), org_id, location_id, uow.store.location_ids(org_id)
    )
    others = [x for x in load_templates(uow.conn, org_id) if x.id != template_id]
    if type_ == "ORG":
        if group_ids:
            raise InvalidInput("an ORG template has no groups")
        if any(x.type == "ORG" for x in others):
            raise TemplateConflict("the organisation already has its template; change that one")
        return
    if not group_ids:
        raise InvalidInput("a GROUP template needs at least one group")
    known = set(
        uow.conn.execute(
            select(t.groups.c.id).where(
                t.groups.c.org_id == org_id, t.groups.c.id.in_(list(group_ids))
            )
        ).scalars()
    )
    if known != set(group_ids):
        raise NotFound("group not found")
    taken = {g for x in others for g in x.group_ids} & set(group_ids)
    if taken:
        raise TemplateConflict(f"{len(taken)} group(s) already have a template")


def save_template(
    ctx: Ctx,
    org_id: str | None,
    name: str,
    type_: str,
    licence_ids: Sequence[str],
    group_ids: Sequence[str] = (),
    location_id: str | None = None,
    template_id: str | None = None,
) -> Template:
    """Create (no id) or fully replace a template. Changing a template changes only future
    users: existing users change when the template is applied to them."""
    ctx.principal.require_write()
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("templateName is 1 to 200 characters")
    now = ctx.clock()
    with ctx.db.uow() as uow:
        before = None
        if template_id:
            before = _find(ctx, uow.conn, template_id)
            org_id = before.org_id
        else:
            org_id = ctx.principal.org(org_id)
        _check(ctx, uow, org_id, type_, licence_ids, group_ids, location_id, template_id)
        c = uow.conn
        if before is None:
            template_id = new_id()
            c.execute(
                insert(t.licence_templates).values(
                    id=template_id,
                    org_id=org_id,
                    name=name,
                    type=type_,
                    location_id=location_id,
                    created=now,
                    updated=now,
                )
            )
        else:
            c.execute(
                update(t.licence_templates)
                .where(t.licence_templates.c.id == template_id)
                .values(name=name, type=type_, location_id=location_id, updated=now)
            )
            c.execute(
                delete(t.template_licences).where(t.template_licences.c.template_id == template_id)
            )
            c.execute(
                delete(t.template_groups).where(t.template_groups.c.template_id == template_id)
            )
        for lid in dict.fromkeys(licence_ids):
            c.execute(insert(t.template_licences).values(template_id=template_id, licence_id=lid))
        for gid in dict.fromkeys(group_ids):
            c.execute(insert(t.template_groups).values(template_id=template_id, group_id=gid))
        after = {
            "name": name,
            "type": type_,
            "licences": sorted(set(licence_ids)),
            "groups": sorted(set(group_ids)),
            "locationId": location_id,
        }
        ctx.audit(
            uow.store,
            org_id,
            "template.saved",
            "template",
            template_id,
            before
            and {
                "name": before.name,
                "licences": list(before.licence_ids),
                "groups": list(before.group_ids),
            },
            after,
        )
        uow.commit()
    return get_template(ctx, template_id)


def delete_template(ctx: Ctx, template_id: str) -> None:
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        tpl = _find(ctx, uow.conn, template_id)
        uow.conn.execute(
            delete(t.template_licences).where(t.template_licences.c.template_id == template_id)
        )
        uow.conn.execute(
            delete(t.template_groups).where(t.template_groups.c.template_id == template_id)
        )
        uow.conn.execute(delete(t.licence_templates).where(t.licence_templates.c.id == template_id))
        ctx.audit(
            uow.store,
            tpl.org_id,
            "template.deleted",
            "template",
            template_id,
            {"name": tpl.name, "licences": list(tpl.licence_ids)},
            None,
        )
        uow.commit()


def template_for_new_user(conn, org_id: str, group_ids: Sequence[str] = ()) -> Template | None:
    return template_for(group_ids, load_templates(conn, org_id))
