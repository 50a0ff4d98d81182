from django.urls import path

from . import views

app_name = "steering"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("my/", views.my_tasks, name="my-tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<id:task_id>/", views.task_detail, name="task"),
    path("tasks/<id:task_id>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<id:task_id>/transition/", views.task_transition, name="task-transition"),
    path("tasks/<id:task_id>/progress/", views.task_progress, name="task-progress"),
    path("tasks/<id:task_id>/evidence/", views.task_evidence, name="task-evidence"),
    path("evidence/<id:evidence_id>/", views.evidence_download, name="evidence"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<id:plan_id>/", views.plan_detail, name="plan"),
    path("reminders/", views.reminders, name="reminders"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<id:proposal_id>/", views.proposal_decide, name="proposal-decide"),
    path("chain/", views.chain, name="chain"),
    path("targets/", views.targets, name="targets"),
    path("committee/", views.committee, name="committee"),
    path("conclusions/<id:conclusion_id>/task/", views.conclusion_task, name="conclusion-task"),
    path("rewards/", views.rewards, name="rewards"),
    path("figures/", views.figures, name="figures"),
]
