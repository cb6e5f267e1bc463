"""An ID number on screen shows its address code and last four, hiding the birth date
(processes/rules/id_numbers.py), at every length it can arrive in."""

import pytest

from processes.rules.id_numbers import mask_id_number


def test_an_18_digit_number_shows_its_address_code_and_last_four():
    assert mask_id_number("520524198801010031") == "520524********0031"


def test_an_x_check_character_is_kept_and_shown_upper_case():
    assert mask_id_number("52052419880101003X") == "520524********003X"
    assert mask_id_number("52052419880101003x") == "520524********003X"


def test_a_15_digit_number_hides_its_whole_birth_date():
    assert mask_id_number("520524880101003") == "520524******003"


@pytest.mark.parametrize(
    "value",
    ["1", "0031", "520524", "5205240031", "52052419880101", "52052488010100", "5205248801010031"],
)
def test_a_number_of_any_other_length_is_masked_whole(value):
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", ["52052419880101003", "5205241988010100311"])
def test_one_digit_short_of_or_over_18_is_masked_whole(value):
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", ["", None, "   "])
def test_a_blank_number_stays_blank(value):
    assert mask_id_number(value) == ""


def test_surrounding_spaces_do_not_shift_the_mask():
    assert mask_id_number(" 520524198801010031 ") == "520524********0031"
