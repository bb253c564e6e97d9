"""Property tests for what people type: ratings on both scales, and title folding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kwatch.errors import InvalidInput
from kwatch.textnorm import hangul_initials, name_key, slugify
from kwatch.values import half_stars, parse_rating, star_glyphs, stars

halves = st.integers(1, 10)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(halves)
def test_every_rating_reads_back_on_both_scales(stored):
    assert parse_rating(str(stars(stored)), scale=5) == stored
    assert parse_rating(str(stored), scale=10) == stored
    assert parse_rating(f"{stars(stored)}".replace(".", ","), scale=5) == stored
    glyphs = star_glyphs(stored)
    assert glyphs.count("★") == stored // 2 and glyphs.endswith("½") == bool(stored % 2)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers()),
    st.sampled_from([5, 10]),
)
def test_a_number_is_a_rating_or_none_never_an_error(value, scale):
    result = half_stars(value, scale)
    assert result is None or (1 <= result <= 10 and isinstance(result, int))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=20), st.sampled_from([5, 10]))
def test_any_text_is_a_rating_or_one_clear_error(text, scale):
    try:
        value = parse_rating(text, scale=scale)
    except InvalidInput as exc:
        assert exc.message and "\n" not in exc.message
    else:
        assert 1 <= value <= 10


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_name_keys_ignore_case_width_spacing_and_punctuation(text):
    key = name_key(text)
    assert name_key(key) == key  # folding twice changes nothing
    assert name_key(text.upper()) == name_key(text.lower()) or not text.isascii()
    assert name_key(f"  {text} - ,. ") == key
    assert all(ch.isalnum() for ch in key)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_slugs_are_ascii_ids(text):
    slug = slugify(text)
    assert slug == slug.strip("-") and "--" not in slug
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in slug)
    assert slug == slug.lower()
    assert slugify(slug) == slug


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=10))
def test_hangul_initials_give_one_consonant_per_syllable(text):
    initials = hangul_initials(text)
    assert len(initials) == len(text)
    assert all(0x3131 <= ord(ch) <= 0x314E for ch in initials)


@given(st.text(max_size=30))
def test_a_protected_csv_cell_reads_back_as_written(text):
    from kwatch.transfer.spreadsheet import safe_cell, unprotected

    # What kwatch writes reads back as the value, an apostrophe of its own included ('-x).
    assert unprotected(safe_cell(text)) == text
