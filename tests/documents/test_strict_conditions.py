"""A paper's conditions fail loudly on a value its data lacks, whatever operator wraps it
(documents/html.py); a value present as None stays data (false, replaced by |default)."""

import pytest
from django.template import engines

from documents.html import MissingVariable, _engine, _StrictContext

DATA = {"present": True, "empty": None, "items": [1, 2], "terms": {"guaranteed": False}}


def paper(source: str, data=None) -> str:
    return _engine().from_string(source).render(_StrictContext(DATA if data is None else data))


@pytest.mark.parametrize(
    "condition",
    [
        "absent",
        "not absent",
        "present and absent",
        "absent and present",
        "present or absent",  # Django would never look at ``absent``
        "absent or present",
        "not present or not absent",
        "absent == 1",
        "1 != absent",
        "absent in items",
        "1 in absent",
        "absent is None",
        "terms.absent",
        "not terms.absent",
        "present and terms.absent.deeper",
        "absent|default:present",
    ],
)
def test_a_condition_naming_a_value_the_data_lacks_raises(condition):
    with pytest.raises(MissingVariable):
        paper(f"{{% if {condition} %}}yes{{% else %}}no{{% endif %}}")


def test_an_elif_naming_a_missing_value_raises_even_when_an_earlier_branch_is_taken():
    with pytest.raises(MissingVariable, match="absent"):
        paper("{% if present %}a{% elif absent %}b{% endif %}")
    with pytest.raises(MissingVariable, match=r"terms\.absent"):
        paper("{% if not present %}a{% elif present %}b{% elif terms.absent %}c{% endif %}")


def test_the_missing_variable_is_named():
    with pytest.raises(MissingVariable, match=r"terms\.renews"):
        paper("{% if present and not terms.renews %}x{% endif %}")


@pytest.mark.parametrize(
    "source,expected",
    [
        ("{% if empty %}yes{% else %}no{% endif %}", "no"),
        ("{% if not empty %}yes{% else %}no{% endif %}", "yes"),
        ("{% if present and empty %}yes{% else %}no{% endif %}", "no"),
        ("{% if empty or present %}yes{% else %}no{% endif %}", "yes"),
        ("{% if empty is None %}yes{% endif %}", "yes"),
        ("{% if terms.guaranteed %}a{% elif 2 in items %}b{% else %}c{% endif %}", "b"),
        ('{{ empty|default:"按实施方案" }}', "按实施方案"),
    ],
)
def test_values_present_even_as_none_decide_as_in_django(source, expected):
    assert paper(source) == expected


def test_the_sites_templates_keep_djangos_forgiving_conditions():
    site = engines["django"].from_string("{% if not absent or absent.x %}yes{% endif %}")
    assert site.render({}) == "yes"
