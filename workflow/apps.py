from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self):
        from viewflow.workflow.models import Task

        from .deadlines import limit_changed, task_saved
        from .models import StageLimit
        from .tasks import ScopedTask

        # A new live task gets its stored deadline, a finished one the working days it took;
        # a county's new limit re-times its tasks.
        for task_class in (Task, ScopedTask):
            post_save.connect(task_saved, sender=task_class, dispatch_uid=f"clock-{task_class}")
        post_save.connect(limit_changed, sender=StageLimit, dispatch_uid="clock-limit-saved")
        post_delete.connect(limit_changed, sender=StageLimit, dispatch_uid="clock-limit-deleted")
