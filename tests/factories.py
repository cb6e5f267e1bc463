"""Factories for the test cast: regions, officials with roles, operators, households."""

import itertools

import factory
from django.contrib.auth import get_user_model

from permissions import actions as grants
from permissions.models import Region
from permissions.roles import Level
from processes.models import Household, Operator
from processes.validators import id_number_check_digit, uscc_check_char

PASSWORD = "test-password-1"
_seq = itertools.count(1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"地区{n}")
    level = Level.COUNTY
    parent = None


def county(name="织金县"):
    return RegionFactory(name=name, level=Level.COUNTY)


def township(parent, name):
    return RegionFactory(name=name, level=Level.TOWNSHIP, parent=parent)


def village(parent, name):
    return RegionFactory(name=name, level=Level.VILLAGE, parent=parent)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"张官员{n}")
    password = factory.django.Password(PASSWORD)


def official(role, region, username=None):
    """A user holding ``role`` at ``region``."""
    user = UserFactory(username=username or f"{role.code}_{region.pk}")
    grants.grant_role(None, user, role, region)
    return user


def valid_id_number(n: int) -> str:
    first17 = f"520524{19700101 + n % 28:08d}{n % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def valid_credit_code(n: int) -> str:
    first17 = f"93520524MA6D{n:04d}X"
    return first17 + uscc_check_char(first17)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    head_name = factory.Sequence(lambda n: f"农户{n}")
    id_number = factory.LazyFunction(lambda: valid_id_number(next(_seq)))
    members = 4


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"合作社{n}")
    kind = Operator.Kind.COOPERATIVE
    credit_code = factory.LazyFunction(lambda: valid_credit_code(next(_seq)))
    legal_representative = "陈德彬"


def operator_user(operator, username):
    user = UserFactory(username=username)
    grants.grant_operator_access(None, user, operator)
    return user
