"""Licence templates: read, create, replace, delete; the template a new user gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..db import templates as db
from ..domain import errors as E
from ..domain.errors import DomainError, InvalidInput, NotFound
from ..domain.templates import Template, check_template, template_for
from .context import Ctx, new_id


class TemplateConflict(DomainError):
    """The template clashes with another: a second organisation template, or a group that
    already has one."""

    status = 409
    code = E.TEMPLATE_CONFLICT


def load_templates(conn, org_id: str) -> list[Template]:
    """The organisation's templates, oldest first (db/templates.load_templates)."""
    return db.load_templates(conn, org_id)


def list_templates(ctx: Ctx, org_id: str | None = None) -> list[Template]:
    """The organisation's licence templates."""
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        return load_templates(uow.conn, org_id)


def get_template(ctx: Ctx, template_id: str) -> Template:
    """One licence template the caller may see; NotFound otherwise."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _find(ctx, uow.conn, template_id)


def _find(ctx: Ctx, conn, template_id: str) -> Template:
    org = db.org_of(conn, template_id)
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
    if db.known_groups(uow.conn, org_id, group_ids) != set(group_ids):
        raise NotFound("group not found")
    taken = {g for x in others for g in x.group_ids} & set(group_ids)
    if taken:
        raise TemplateConflict(f"{len(taken)} group(s) already have a template")


@dataclass(frozen=True)
class TemplateDraft:
    """A template as the admin entered it: what ``save_template`` writes, and what a template
    preview plans with before anything is saved (kept in the preview job's parameters)."""

    name: str
    type: str  # ORG | GROUP
    licence_ids: tuple[str, ...]
    group_ids: tuple[str, ...] = ()
    location_id: str | None = None
    template_id: str | None = None  # None: a new template

    def as_params(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "licenceIds": list(self.licence_ids),
            "groupIds": list(self.group_ids),
            "locationId": self.location_id,
            "templateId": self.template_id,
        }

    @classmethod
    def from_params(cls, p: dict) -> TemplateDraft:
        return cls(
            p["name"],
            p["type"],
            tuple(p["licenceIds"]),
            tuple(p.get("groupIds", ())),
            p.get("locationId"),
            p.get("templateId"),
        )


def check_draft(
    ctx: Ctx, uow, org_id: str | None, draft: TemplateDraft
) -> tuple[str, Template | None]:
    """Validate a draft without writing it: (its organisation, the template it replaces)."""
    name = (draft.name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("templateName is 1 to 200 characters")
    before = None
    if draft.template_id:
        before = _find(ctx, uow.conn, draft.template_id)
        org_id = before.org_id
    else:
        org_id = ctx.principal.org(org_id)
    _check(
        ctx,
        uow,
        org_id,
        draft.type,
        draft.licence_ids,
        draft.group_ids,
        draft.location_id,
        draft.template_id,
    )
    return org_id, before


def write_template(
    ctx: Ctx, uow, org_id: str | None, draft: TemplateDraft, new_id_: str | None = None
) -> str:
    """Check and write a draft in the caller's unit of work (one audit event); its id.
    ``new_id_``: the id a new template takes (a preview chose it), else a fresh one."""
    org_id, before = check_draft(ctx, uow, org_id, draft)
    name = draft.name.strip()
    template_id = draft.template_id or new_id_ or new_id()
    row = db.TemplateRow(
        template_id,
        org_id,
        name,
        draft.type,
        draft.location_id,
        draft.licence_ids,
        draft.group_ids,
    )
    now = ctx.clock()
    if before is None:
        db.insert_template(uow.conn, row, now)
    else:
        db.replace_template(uow.conn, row, now)
    after = {
        "name": name,
        "type": draft.type,
        "licences": sorted(set(draft.licence_ids)),
        "groups": sorted(set(draft.group_ids)),
        "locationId": draft.location_id,
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
    return template_id


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
    draft = TemplateDraft(
        name, type_, tuple(licence_ids), tuple(group_ids), location_id, template_id
    )
    with ctx.db.uow() as uow:
        saved = write_template(ctx, uow, org_id, draft)
        uow.commit()
    return get_template(ctx, saved)


def delete_template(ctx: Ctx, template_id: str) -> None:
    """Delete a licence template (users keep their licences); audited."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        tpl = _find(ctx, uow.conn, template_id)
        db.delete_template(uow.conn, template_id)
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
    """The template a new user gets: their group's, else the organisation's, else none."""
    return template_for(group_ids, load_templates(conn, org_id))
