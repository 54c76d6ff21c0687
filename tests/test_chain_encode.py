"""`db check` encodes each event with one C JSON encoder made once (chain._row_encoder) instead of
``JSONEncoder.encode`` per event: the bytes hashed must be exactly the canonical content
(chain.canonical), whatever the values hold."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oss_desk.storage import chain

VALUE = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(),  # any Unicode: quotes, backslashes, control characters, astral planes
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(VALUE, min_size=len(chain.COLUMNS), max_size=len(chain.COLUMNS)))
def test_the_row_encoder_writes_the_canonical_content(values: list[Any]) -> None:
    row = tuple(values)
    encode = chain._row_encoder()
    assert encode(row).encode("ascii") == chain.canonical(row)
    assert (
        chain.link(chain.GENESIS, row)
        == chain._sha256(chain.GENESIS + encode(row).encode("ascii")).digest()
    )


def test_what_it_cannot_encode_goes_the_canonical_way() -> None:
    row = (1, b"bytes are not JSON")
    with pytest.raises(TypeError) as expected:
        chain.canonical(row)
    with pytest.raises(TypeError) as got:
        chain._row_encoder()(row)
    assert str(got.value) == str(expected.value)
