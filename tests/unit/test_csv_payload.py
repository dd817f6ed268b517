"""Row payloads: the text validate spools, and the compact form a saved job stores."""

from __future__ import annotations

import json

from callshift.domain.licensing import (
    CallingChange,
    LicenceChange,
    LicenceRequest,
    Operation,
)
from callshift.services.csv_payload import KindTable, PayloadCodec, expand

SWAP = LicenceChange(
    frozenset({"old"}), ("new",), ("old",), (), CallingChange.SWAP, "old", "new", None
)
REQUESTS = [LicenceRequest("old", Operation.REMOVE), LicenceRequest("new", Operation.ADD)]


def test_rows_of_one_kind_share_a_body_and_keep_their_line():
    codec, table = PayloadCodec(), KindTable()
    stored = [table.compact(codec.encode(REQUESTS, SWAP, line)) for line in (2, 3, 40)]
    assert stored == ['{"kind":0,"row":2}', '{"kind":0,"row":3}', '{"kind":0,"row":40}']
    assert len(table.bodies) == 1
    body, line = PayloadCodec().decode(stored[2], table.bodies)
    assert line == 40 and body["added"] == ["new"] and body["calling"] == "swap"
    # what import_view reads: the same as the whole text would have said
    whole = json.loads(codec.encode(REQUESTS, SWAP, 40))
    assert expand(json.loads(stored[2]), table.bodies) == whole


def test_a_payload_only_its_row_has_is_stored_whole():
    codec, table = PayloadCodec(), KindTable()
    lost = codec.encode(REQUESTS, SWAP, 7, lost={"voicemail": True})
    assert table.compact(lost) == lost and not table.bodies
    assert PayloadCodec().decode(lost)[0]["lost"] == {"voicemail": True}
    assert table.compact(None) is None


def test_past_its_size_the_table_stores_new_kinds_whole():
    codec, table = PayloadCodec(), KindTable(size=1)
    first = table.compact(codec.encode(REQUESTS, SWAP, 2))
    other = codec.encode(REQUESTS[:1], SWAP, 3)
    assert first.startswith('{"kind":0') and table.compact(other) == other
    assert PayloadCodec().decode(other, table.bodies) == (
        json.loads(other[: other.rindex(",")] + "}"),
        3,
    )
