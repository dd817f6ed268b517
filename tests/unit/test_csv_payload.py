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


def test_rows_of_one_kind_share_one_text_and_body():
    codec, table = PayloadCodec(), KindTable()
    texts = [codec.encode(REQUESTS, SWAP) for _ in range(3)]
    assert texts[0] is texts[1] is texts[2]
    assert json.loads(texts[0]) == {
        "requests": [["old", "remove", None], ["new", "add", None]],
        "added": ["new"],
        "removed": ["old"],
        "calling": "swap",
    }
    stored = [table.compact(t) for t in texts]
    assert stored == ['{"kind":0}'] * 3 and len(table.bodies) == 1
    body = PayloadCodec().decode(stored[2], table.bodies)
    assert body["added"] == ["new"] and body["calling"] == "swap"
    # what import_view reads: the same as the whole text would have said
    assert expand(json.loads(stored[2]), table.bodies) == json.loads(texts[0])


def test_a_payload_only_its_row_has_is_stored_whole():
    codec, table = PayloadCodec(), KindTable()
    lost = codec.encode(REQUESTS, SWAP, lost={"voicemail": True})
    assert table.compact(lost) == lost and not table.bodies
    assert PayloadCodec().decode(lost)["lost"] == {"voicemail": True}
    assert table.compact(None) is None


def test_past_its_size_the_table_stores_new_kinds_whole():
    codec, table = PayloadCodec(), KindTable(size=1)
    first = table.compact(codec.encode(REQUESTS, SWAP))
    other = codec.encode(REQUESTS[:1], SWAP)
    assert first == '{"kind":0}' and table.compact(other) == other
    assert PayloadCodec().decode(other, table.bodies) == json.loads(other)


def test_payloads_saved_with_their_line_are_still_read():
    """A preview saved before the line was dropped may still be confirmed."""
    codec = PayloadCodec()
    body = json.loads(codec.encode(REQUESTS, SWAP))
    kinds = [body]
    old_ref = '{"kind":0,"row":7}'
    old_whole = json.dumps({**body, "lost": {"voicemail": True}, "row": 9})
    assert codec.decode(old_ref, kinds) is body
    assert codec.decode(old_whole) == {**body, "lost": {"voicemail": True}}
    # items of one kind group together whatever their shape
    assert codec.kind_key(old_ref) == codec.kind_key('{"kind":0,"row":8}') == '{"kind":0}'
    assert codec.kind_key('{"kind":0}') == '{"kind":0}'
    assert "row" not in codec.kind_key(old_whole)
    assert expand({"kind": 0, "row": 7}, kinds) == body
