"""`callshift account create` (password from standard input) and the account store, without a
browser: hashing, sign-in, roles, sessions that end."""

from __future__ import annotations

from callshift.domain.access import Role
from callshift.services.accounts import session, sign_in, sign_out

from ..helpers import seed_demo


def test_account_create_reads_the_password_from_stdin(cli, db):
    demo = seed_demo(db, users=30)  # more than the second organisation: the "main" one
    out = cli(
        "account",
        "create",
        "Ada@Acme.example",
        "--role",
        "read-only-admin",
        input="a long enough passphrase\n",
    )
    assert out.exit_code == 0, out.output
    assert "a long enough passphrase" not in out.output
    assert sign_in(db, "ada@acme.example", "wrong passphrase!!") is None
    secret, csrf = sign_in(db, "ada@acme.example", "a long enough passphrase")
    s = session(db, secret)
    assert s.principal.role is Role.READ_ONLY_ADMIN and s.principal.org_ids == {demo.main_org_id}
    assert s.csrf == csrf and s.principal.name == "ui:ada@acme.example"
    sign_out(db, secret)
    assert session(db, secret) is None
    again = cli("account", "create", "ada@acme.example", input="another passphrase\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = cli("account", "create", "bob@acme.example", input="short\n")
    assert short.exit_code == 1 and "at least" in short.output
    person = cli(
        "account",
        "create",
        "ada.levi.0@acme.example.com",
        "--role",
        "user",
        input="a long enough passphrase\n",
    )
    assert person.exit_code == 0, person.output
    secret, _ = sign_in(db, "ada.levi.0@acme.example.com", "a long enough passphrase")
    assert session(db, secret).principal.user_id is not None
