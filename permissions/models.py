import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import REGION_ROLES, Level


class User(AbstractUser):
    """An official (or an operator's staff). Chinese names are written whole, family name
    first, so one ``full_name`` replaces Django's first/last name pair in the UI."""

    full_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return self.full_name or self.get_username()

    def get_short_name(self) -> str:
        return self.full_name or self.get_username()


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: "Region") -> "RegionQuerySet":
        """The region and every region below it (one indexed prefix match)."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """A node of the county → township → village tree.

    ``path`` is a materialized path of primary keys ("/1/4/9/"), so "everything under a
    township" is one prefix query served by an index.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False, db_index=True)
    code = models.CharField(_("administrative code"), max_length=20, blank=True)
    # The government (county, township) or village committee of this region, as a party.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]
        # One permission per region role: a role held at a region is a guardian object
        # permission on that region (permissions/roles.py).
        permissions = [(role.code, str(role.label)) for role in REGION_ROLES]
        default_permissions = ()

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        # Regions are not moved once created: the path of every descendant would change.
        self.clean()
        if self.pk is None:
            self.path = f"~{uuid.uuid4().hex}"  # placeholder until the primary key exists
            super().save(*args, **kwargs)
            args, kwargs = (), {"update_fields": ["path"]}
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        super().save(*args, **kwargs)

    def clean(self):
        expected_parent = {
            Level.COUNTY: None,
            Level.TOWNSHIP: Level.COUNTY,
            Level.VILLAGE: Level.TOWNSHIP,
        }
        parent_level = self.parent.level if self.parent_id else None
        if parent_level != expected_parent[self.level]:
            raise ValidationError(
                _("A %(level)s must sit directly under a %(parent)s.")
                % {
                    "level": self.get_level_display(),
                    "parent": Level(expected_parent[self.level]).label
                    if expected_parent[self.level]
                    else _("nothing"),
                }
            )

    @property
    def ancestors_and_self(self) -> list["Region"]:
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        """The region path as officials write it, e.g. "织金县/珠藏镇/新寨村"."""
        return "/".join(r.name for r in self.ancestors_and_self)

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)

    @property
    def county(self) -> "Region":
        return self.ancestors_and_self[0]
