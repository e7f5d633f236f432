"""A streamed JSON document is byte for byte the document dumped at once (audit --json)."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from coi.output import Output

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@given(
    head=st.dictionaries(st.text(max_size=5).filter(lambda k: k != "items"), values, max_size=3),
    items=st.lists(values, max_size=4),
)
def test_streamed_equals_dumped(head: dict, items: list) -> None:
    import io

    out, buffer = Output(json_mode=True), io.StringIO()
    saved, sys.stdout = sys.stdout, buffer
    try:
        out.json({**head, "items": items})
        whole = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        out.json_streamed(head, "items", iter(items))
        streamed = buffer.getvalue()
    finally:
        sys.stdout = saved
    assert streamed == whole
