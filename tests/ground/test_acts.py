"""Audit act names live in one place (ground/acts.py): the log refuses any other name, and no
module spells an act as a bare string where it records one."""

import ast
from pathlib import Path

import pytest

from ground import audit
from ground.acts import Act
from ground.models import AuditEntry

from .. import factories as f

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("qiyue", "processes", "workflow", "documents", "permissions", "ground")


def test_an_act_not_named_in_the_list_is_refused_and_nothing_is_written(db):
    region = f.county("织金县")
    with pytest.raises(ValueError):
        audit.record(None, "project.rename", region)
    assert AuditEntry.objects.count() == 0


def test_a_named_act_is_recorded_under_its_value(db):
    region = f.county("织金县")
    entry = audit.record(None, Act.REGION_UPDATE, region, after={"name": "织金县"})
    assert AuditEntry.objects.get(pk=entry.pk).act == "region.update"
    assert audit.verify_chain() is None


def test_no_module_records_an_act_by_a_bare_string():
    """audit.record(actor, "x.y", …) anywhere in the code would bypass the one list."""
    bare = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                ):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


def test_every_act_value_is_unique_and_fits_the_column():
    values = [act.value for act in Act]
    assert len(values) == len(set(values))
    assert max(map(len, values)) <= AuditEntry._meta.get_field("act").max_length
