"""Who runs a project: an operator of the project's own township, or nobody (direct subsidy)."""

from django.utils.translation import gettext as _

from . import RuleViolation


def check_operator_for_mode(is_direct_subsidy: bool, has_operator: bool) -> None:
    """Seed: "项目实施采取分散直补和入股分红两种方式" — a dividend project is entrusted to an
    operator (乡镇再通过委托的形式，把项目委托给合作社、企业等实施); a direct subsidy goes to the
    households themselves (直接将扶贫资金直补到贫困户手中), with no operator between."""
    if is_direct_subsidy and has_operator:
        raise RuleViolation(_("A direct-subsidy project has no operator: funds go to households."))
    if not is_direct_subsidy and not has_operator:
        raise RuleViolation(_("A dividend project needs the operator that will run it."))


def check_operator_township(operator_township_id: int, township_id: int) -> None:
    """Seed: "乡镇直管 … 找准找好项目经营主体单位" — the township, which is responsible for the
    project, chooses its operator among its own."""
    if operator_township_id != township_id:
        raise RuleViolation(_("Choose an operator of the village's own township."))


def check_reassignment(
    current_id: int | None, new_id: int | None, new_township_id: int | None, township_id: int
) -> None:
    """Seed: "对违规违纪实施的，乡镇有权收回项目资金或调项" — on a violation the township moves the
    project (调项) from its operator to another operator of the same township."""
    if current_id is None:
        raise RuleViolation(_("A direct-subsidy project has no operator to replace."))
    if new_id is None or new_township_id != township_id:
        raise RuleViolation(_("Choose another operator of the project's township."))
    if new_id == current_id:
        raise RuleViolation(_("The project is already run by this operator."))
