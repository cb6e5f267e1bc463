"""Who a paper prints as the person in charge: the region's active lead, however granted."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from permissions.roles import TOWNSHIP_LEAD
from processes.papers.parties import head_of, region_government
from tests.factories import UserFactory, county, official, township

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhucang():
    return township(county(), "珠藏镇")


def test_the_townships_lead_is_printed_as_the_person_in_charge(zhucang):
    lead = official(TOWNSHIP_LEAD, zhucang)
    assert region_government(zhucang).representative == lead.get_full_name()


def test_a_deactivated_lead_is_no_longer_printed(zhucang):
    lead = official(TOWNSHIP_LEAD, zhucang)
    lead.is_active = False
    lead.save()
    assert head_of(zhucang) == ""


def test_a_lead_granted_through_a_group_is_printed(zhucang):
    group = Group.objects.create(name="珠藏镇领导")
    lead = UserFactory(username="group_lead")
    lead.groups.add(group)
    assign_perm(f"permissions.{TOWNSHIP_LEAD.code}", group, zhucang)
    assert head_of(zhucang) == lead.get_full_name()
