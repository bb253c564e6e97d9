"""The faster paths that large catalogues take write exactly what the general ones wrote: the
JSON text of every document, the list columns of the index, the titles read back."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kwatch.output import dumps_indented
from kwatch.textnorm import has_hangul, name_key, slugify
from kwatch.titles import _decoded, _decoded_list, _json_list, _key_order, _opendata_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text() | st.integers() | st.booleans() | st.none(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(documents)
def test_indented_json_is_json_dumps_character_for_character(document):
    assert dumps_indented(document) == json.dumps(document, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "document",
    [
        {"bad": object()},
        {(1, 2): "a tuple key"},
        [1.5, {"nested": {1.5: "a float key"}}],
        float("nan"),
        [float("inf"), -float("inf")],
    ],
)
def test_what_the_fast_path_cannot_write_gets_the_same_text_or_error(document):
    try:
        expected = json.dumps(document, ensure_ascii=False, indent=2)
    except TypeError as exc:
        with pytest.raises(TypeError, match=str(exc)[:20]):
            dumps_indented(document)
    else:
        assert dumps_indented(document) == expected


def test_a_cycle_is_refused_as_json_dumps_refuses_it():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.text(), max_size=5).map(tuple))
def test_list_columns_are_json_dumps_and_read_back_as_given(values):
    text = _json_list(values)
    assert text == json.dumps(list(values))
    assert _decoded_list(text) == values


def test_a_list_column_with_something_other_than_strings_is_still_json():
    assert _json_list((1, "a", None)) == json.dumps([1, "a", None])


def test_layer_notes_are_encoded_once_and_as_json_dumps_would():
    memo: dict = {}
    note = {"source": "wikidata", "fetched": "2026-12-01", "fields": ["*"]}
    assert _opendata_json(note, memo) == json.dumps(note)
    assert _opendata_json(dict(note), memo) == json.dumps(note)
    assert len(memo) == 1
    other = {"source": "wikidata", "fetched": "2026-12-01", "fields": ["year", "directors"]}
    assert _opendata_json(other, memo) == json.dumps(other)
    odd = {"source": "wikidata", "count": 3, "fields": ["*"]}
    assert _opendata_json(odd, memo) == json.dumps(odd)
    assert _opendata_json(None, memo) is None


def test_index_rows_are_given_in_primary_key_order_keeping_duplicates_adjacent():
    pairs = [("drama", "a"), ("comedy", "a"), ("drama", "b"), ("comedy", "c"), ("drama", "b")]
    assert _key_order(pairs) == [
        ("comedy", "a"),
        ("comedy", "c"),
        ("drama", "a"),
        ("drama", "b"),
        ("drama", "b"),
    ]


def _reference_name_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _reference_slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = folded.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


names = st.text(st.characters(max_codepoint=0x7F)) | st.text()


@settings(max_examples=400, deadline=None, derandomize=True)
@given(names)
def test_folding_names_gives_the_keys_the_general_rules_give(text):
    assert name_key(text) == _reference_name_key(text)
    assert slugify(text) == _reference_slugify(text)
    assert has_hangul(text) == any(0xAC00 <= ord(ch) <= 0xD7A3 for ch in text)


def test_every_ascii_character_folds_as_the_general_rule_folds_it():
    for code in range(128):
        text = f"A{chr(code)}b{chr(code)}"
        assert name_key(text) == _reference_name_key(text)
        assert slugify(text) == _reference_slugify(text)


@pytest.mark.parametrize("text", ['["a"]', '{"x": [1, 2]}', "[]", " [1]", "[1] x", "", "nul", "[1"])
def test_columns_decode_as_json_loads_decodes_them_errors_included(text):
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError, match=re.escape(exc.msg)):
            _decoded(text)
    else:
        assert _decoded(text) == expected
