"""The workspace page shows the workspace's calling settings (the catalogue's workspace
entries, not a person's), grouped like the user page, the changed ones marked."""

from __future__ import annotations

from playwright.sync_api import expect

from callshift.domain.settings import WORKSPACE_SETTINGS
from callshift.services.context import WorkspaceRef
from callshift.services.features import update_setting

from .conftest import shot, sign_in
from .test_workspaces import _workspace


def test_workspace_page_lists_its_settings_by_group(page, site):
    ctx, wid = _workspace(site, "Settings room", "BCCA", "4455")
    ref = WorkspaceRef(workspace_id=wid)
    update_setting(
        ctx,
        ref,
        "callPolicies",
        {"connectedLineIdPrivacyOnRedirectedCalls": "PRIVACY_FOR_ALL_CALLS"},
    )
    update_setting(ctx, ref, "doNotDisturb", {"enabled": True})
    sign_in(page, site)
    page.goto(site.url(f"/ui/workspaces/{wid}"))
    section = page.locator("#settings")
    for group in dict.fromkeys(s.group for s in WORKSPACE_SETTINGS):
        expect(section.get_by_role("heading", name=group, exact=True)).to_be_visible()
    expect(section.locator("tbody tr")).to_have_count(len(WORKSPACE_SETTINGS))
    expect(page.locator("#setting-callPolicies")).to_contain_text("changed")
    expect(page.locator("#setting-doNotDisturb")).to_contain_text("on")
    expect(page.locator("#setting-executiveAlert")).to_have_count(0)  # a person's only
    expect(page.get_by_text("2 changed from default")).to_be_visible()
    page.locator("#setting-callPolicies summary").click()
    expect(page.locator("#setting-callPolicies pre")).to_contain_text("PRIVACY_FOR_ALL_CALLS")
    shot(page, "workspace-settings")
