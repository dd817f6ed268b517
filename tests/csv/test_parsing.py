"""Parsing only, no database: the reader, the cells, the header, formula neutralisation."""

from __future__ import annotations

import io

import pytest

from callshift.domain.model import Licence, SubscriptionStatus
from callshift.domain.users_csv import (
    CellError,
    Mode,
    clean_number,
    licence_column,
    neutralise,
    parse_flag,
    resolve_header,
    row_requests,
    unneutralise,
)
from callshift.services.csv_reader import read_records


def records(data: bytes):
    return list(read_records(io.BytesIO(data)))


def test_bom_crlf_quoted_newlines_and_line_numbers():
    data = '\ufeffa,b\r\n"x\r\ny",1\r\n\r\n"é ""q""",2\n3,4'.encode()
    assert records(data) == [
        (1, ["a", "b"]),
        (2, ["x\r\ny", "1"]),
        (4, []),
        (5, ['é "q"', "2"]),
        (6, ["3", "4"]),
    ]


def test_reads_in_bounded_chunks_across_multibyte_boundaries():
    row = "ü" * 30_000 + ",x\r\n"
    data = ("h,i\r\n" + row * 20).encode()
    got = records(data)
    assert len(got) == 21 and got[-1][0] == 21 and got[-1][1][1] == "x"


@pytest.mark.parametrize(
    "cell,flag",
    [("TRUE", True), ("t", True), (" False ", False), ("f", False), ("", None), ("  ", None)],
)
def test_flags(cell, flag):
    assert parse_flag(cell) is flag


@pytest.mark.parametrize("cell", ["yes", "1", "TRUEE", "x" * 100])
def test_bad_flags(cell):
    with pytest.raises(CellError, match="is not TRUE or FALSE"):
        parse_flag(cell)


@pytest.mark.parametrize(
    "cell,out",
    [
        ("=1+2", "'=1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+Bad", "'+Bad"),
        ("-2", "'-2"),
        ("\tx", "'\tx"),
        ("+14155550100", "+14155550100"),
        ("+1 (415) 555-0100", "+1 (415) 555-0100"),
        ("Ada", "Ada"),
    ],
)
def test_neutralise_round_trip(cell, out):
    assert neutralise(cell) == out
    assert unneutralise(neutralise(cell)) == cell.strip()


def test_numbers_whose_plus_was_stripped():
    assert clean_number("97255123456") == "+97255123456"
    assert clean_number("+1 415-555-0100") == "+14155550100"
    assert clean_number("  ") is None


def _lic(code: str, sub: str, status=SubscriptionStatus.ACTIVE) -> Licence:
    return Licence(f"{code}-{sub}", "org", sub, code, 10, 0, status)


def test_header_by_subscription_and_name_with_old_names():
    lics = {
        l.id: l
        for l in (_lic("BCBASIC", "Sub1"), _lic("BCSTD", "Sub2", SubscriptionStatus.SUSPENDED))
    }
    assert licence_column(lics["BCSTD-Sub2"]) == "Webex Calling - Professional [Sub2] (Suspended)"
    header, problems = resolve_header(
        [
            "user id/email (required)",
            "Webex Calling - Standard [Sub1]",
            "Webex Calling - Professional [Sub2] (Suspended)",
        ],
        lics,
    )
    assert problems == [] and [l.id for _, l in header.licences] == ["BCBASIC-Sub1", "BCSTD-Sub2"]
    reqs, errs = row_requests(["a@x", "FALSE", "TRUE"], header, Mode.ADD)
    assert [(r.licence_id, r.operation.value) for r in reqs] == [
        ("BCSTD-Sub2", "add")
    ] and errs == []
    reqs, _ = row_requests(["a@x", "FALSE", ""], header, Mode.ADD_REMOVE)
    assert [(r.licence_id, r.operation.value) for r in reqs] == [("BCBASIC-Sub1", "remove")]
    _, problems = resolve_header(
        ["Email", "Webex Calling - Basic [Sub1]", "Webex Calling - Standard [Sub1]"], lics
    )
    assert problems[0].startswith("the file has no 'User ID/Email (Required)' column")
    assert any("names a licence already in the file" in p for p in problems)
