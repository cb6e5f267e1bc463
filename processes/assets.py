"""Registering income-earning assets with their four rights, after acceptance (seed 2)."""

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ground import audit
from ground.acts import Act
from permissions.roles import COUNTY_POVERTY_OFFICE, TOWNSHIP_WORK_STATION
from workflow.inputs import InputDiscipline

from . import paperwork
from .models import Asset, ImplementationMode, Project
from .rules import assets as rules_assets
from .rules import income_split


def may_register(user, project) -> bool:
    """The township work station of the project's township, or the county poverty office."""
    return user.has_perm(TOWNSHIP_WORK_STATION.permission, project.township) or user.has_perm(
        COUNTY_POVERTY_OFFICE.permission, project.county
    )


def awaiting_registration(user):
    """Accepted projects with no asset registered yet that the user would register: those of
    the townships where they are the work station, or all of the county poverty office's.
    What prompts 登记资产 after acceptance, on the project list and the project page."""
    from permissions.jurisdiction import roles_of

    held = [
        r.region
        for r in roles_of(user)
        if r.role.code in (TOWNSHIP_WORK_STATION.code, COUNTY_POVERTY_OFFICE.code)
    ]
    if not held:
        return Project.objects.none()
    townships = [r.pk for r in held if r.level == "township"]
    counties = [r.pk for r in held if r.level == "county"]
    return (
        Project.objects.filter(accepted_on__isnull=False, assets__isnull=True)
        .filter(Q(village__parent__in=townships) | Q(village__parent__parent__in=counties))
        .select_related("village__parent")
        .order_by("accepted_on", "name")
    )


def default_income_terms(project) -> str:
    """The income right as agreed: the dividend terms, or the 70/20/10 split (seed 2, "721")."""
    agreement = getattr(project, "agreement", None)
    split = (
        _(
            "%(households)s%% to poor households as dividends, %(collective)s%% to village collective income, %(fund)s%% to the village management and development fund"
        )
        % income_split.PERCENTS
    )
    if agreement and project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
        return (
            _(
                "Guaranteed dividend %(rate)s%% of the invested funds, rising %(step)s points a year; "
            )
            % {"rate": agreement.first_year_rate, "step": agreement.yearly_increase}
            + split
        )
    if agreement and project.mode == ImplementationMode.EQUITY_DIVIDEND:
        return (
            _("Households receive %(share)s%% of the returns on the quantified equity; ")
            % {"share": agreement.household_share}
            + split
        )
    return split


class AssetForm(InputDiscipline, forms.ModelForm):
    class Meta:
        model = Asset
        fields = [
            "name",
            "value",
            "owner",
            "ownership_certificate",
            "operation",
            "operated_by",
            "income_terms",
            "supervised_by",
        ]
        widgets = {"income_terms": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "supervised_by": gettext_lazy("Who supervises: township station, discipline office, …")
        }


@transaction.atomic
def register_asset(actor, project, form: AssetForm) -> Asset:
    """登记资产: one asset with its four rights; only once the project has been accepted."""
    rules_assets.check_asset_registrable(project.accepted_on)
    asset = form.save(commit=False)
    asset.project = project
    asset.registered_by = actor
    asset.save()
    entry = audit.record(
        actor,
        Act.ASSET_REGISTER,
        asset,
        project_id=project.pk,
        after=audit.jsonable({f: getattr(asset, f) for f in AssetForm.Meta.fields}),
    )
    paperwork.registrar_issues_ownership_certificate(project, actor, entry)
    return asset
