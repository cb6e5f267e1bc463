"""Who holds this role here: ``holders`` and ``holds`` at their boundaries. A grant through a
group counts; a deactivated account, a neighbouring township's holder, a holder one level up
and a superuser without the grant do not."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from permissions.jurisdiction import forget_grants, holders, holds, permission_holders
from permissions.roles import TOWNSHIP_LEAD, TOWNSHIP_WORK_STATION

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    county = f.county()
    return county, f.township(county, "珠藏镇"), f.township(county, "猫场镇")


def test_a_direct_holder_holds_the_role_and_is_listed(place):
    _county, zhuzang, _maochang = place
    lead = f.official(TOWNSHIP_LEAD, zhuzang, username="lead")
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == [lead]
    assert holds(lead, TOWNSHIP_LEAD, zhuzang)
    assert not holds(lead, TOWNSHIP_WORK_STATION, zhuzang)


def test_a_role_granted_through_a_group_counts(place):
    _county, zhuzang, _maochang = place
    member = f.UserFactory(username="member")
    group = Group.objects.create(name="珠藏镇领导班子")
    group.user_set.add(member)
    assign_perm(TOWNSHIP_LEAD.permission, group, zhuzang)
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == [member]
    assert list(permission_holders(TOWNSHIP_LEAD.permission, zhuzang)) == [member]
    assert holds(member, TOWNSHIP_LEAD, zhuzang)


def test_a_deactivated_holder_does_not_hold_it(place):
    _county, zhuzang, _maochang = place
    lead = f.official(TOWNSHIP_LEAD, zhuzang, username="lead")
    lead.is_active = False
    lead.save(update_fields=["is_active"])
    forget_grants(lead)
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == []
    assert list(permission_holders(TOWNSHIP_LEAD.permission, zhuzang)) == []
    assert not holds(lead, TOWNSHIP_LEAD, zhuzang)


def test_the_neighbouring_townships_holder_does_not_hold_it_here(place):
    _county, zhuzang, maochang = place
    neighbour = f.official(TOWNSHIP_LEAD, maochang, username="neighbour")
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == []
    assert not holds(neighbour, TOWNSHIP_LEAD, zhuzang)
    assert list(holders(TOWNSHIP_LEAD, [zhuzang, maochang])) == [neighbour]


def test_a_role_is_held_exactly_at_its_region_not_below_it(place):
    county, zhuzang, _maochang = place
    lead = f.official(TOWNSHIP_LEAD, zhuzang, username="lead")
    assert list(holders(TOWNSHIP_LEAD, county)) == []
    assert not holds(lead, TOWNSHIP_LEAD, county)


def test_a_superuser_without_the_grant_does_not_hold_it(place):
    _county, zhuzang, _maochang = place
    admin = f.UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == []
    assert list(permission_holders(TOWNSHIP_LEAD.permission, zhuzang)) == []
    assert not holds(admin, TOWNSHIP_LEAD, zhuzang)


def test_holders_come_in_name_order_whoever_was_granted_first(place):
    _county, zhuzang, _maochang = place
    wang = f.official(TOWNSHIP_LEAD, zhuzang, username="wang")
    chen = f.official(TOWNSHIP_LEAD, zhuzang, username="chen")
    for user, name in ((wang, "wang fang"), (chen, "chen de")):  # one order in every collation
        user.full_name = name
        user.save(update_fields=["full_name"])
    assert list(holders(TOWNSHIP_LEAD, zhuzang)) == [chen, wang]
    assert list(permission_holders(TOWNSHIP_LEAD.permission, zhuzang)) == [chen, wang]


def test_holds_reads_the_cached_grants_without_a_query(place, django_assert_num_queries):
    _county, zhuzang, maochang = place
    lead = f.official(TOWNSHIP_LEAD, zhuzang, username="lead")
    holds(lead, TOWNSHIP_LEAD, zhuzang)
    with django_assert_num_queries(0):
        assert holds(lead, TOWNSHIP_LEAD, zhuzang)
        assert not holds(lead, TOWNSHIP_LEAD, maochang)
