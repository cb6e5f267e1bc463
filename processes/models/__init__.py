"""The domain's models, one module per part of a project's life; every model is named here
so ``from processes.models import Project`` keeps working and the app label stays ``processes``."""

from .agreements import Agreement, DividendShare, DividendYear
from .money import Asset, FundMovement, Reimbursement
from .process import ProjectProcess
from .projects import Beneficiary, Household, ImplementationMode, Operator, Project
from .records import AcceptanceRecord, MaintenanceReport, ProgressReport, PublicReport

__all__ = [
    "AcceptanceRecord",
    "Agreement",
    "Asset",
    "Beneficiary",
    "DividendShare",
    "DividendYear",
    "FundMovement",
    "Household",
    "ImplementationMode",
    "MaintenanceReport",
    "Operator",
    "ProgressReport",
    "Project",
    "ProjectProcess",
    "PublicReport",
    "Reimbursement",
]
