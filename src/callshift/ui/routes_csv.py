"""Manage users (CSV): placeholder until the CSV services land."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from .auth import Page, current_page

router = APIRouter(prefix="/ui/csv")


@router.get("")
def csv_page(page: Page = Depends(current_page)):
    return page.render("csv.html")
