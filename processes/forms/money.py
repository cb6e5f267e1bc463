"""Stages 7 and 11: the funds issued (下达资金), the reimbursement claim and its payment (报账)."""

from decimal import Decimal

from django import forms

from ..acts import money
from ..models import Project, Reimbursement
from ..rules import funds
from .base import ModelTaskForm, ReviewForm

# --- 7 下达资金 funds issued (county finance) -----------------------------------------


class FundsIssueForm(ModelTaskForm):
    class Meta:
        model = Project
        fields = ["funds_doc_no", "funds_issued", "funds_issued_on"]
        widgets = {"funds_issued_on": forms.DateInput(attrs={"type": "date"})}

    def get_instance(self):
        return self.process.project

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
        self.fields["funds_issued"].initial = self.instance.funds_amount

    def clean_funds_issued(self):
        amount = self.cleaned_data["funds_issued"]
        funds.check_funds_issued(amount, self.instance.funds_amount)
        return amount

    def apply(self):
        money.issue_funds(self.user, self.instance)
        return self.before, self.snapshot()


# --- 11 报账 reimbursement --------------------------------------------------------------


class ReimbursementForm(ModelTaskForm):
    class Meta:
        model = Reimbursement
        fields = ["amount", "expense_details"]
        widgets = {"expense_details": forms.Textarea(attrs={"rows": 4})}

    def get_instance(self):
        project = self.process.project
        return getattr(project, "reimbursement", None) or Reimbursement(project=project)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        funds.check_claim(amount, self.process.project.funds_issued or Decimal("0.00"))
        return amount

    def apply(self):
        money.claim_reimbursement(self.user, self.instance)
        return self.before, self.snapshot()


class ReimbursementReviewForm(ReviewForm):
    pass


class PaymentForm(ModelTaskForm):
    class Meta:
        model = Reimbursement
        fields = ["voucher_no", "paid_on"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def get_instance(self):
        return self.process.project.reimbursement

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def apply(self):
        paid = money.pay_reimbursement(self.user, self.process.project, self.instance)
        return self.before, {**self.snapshot(), **paid}
