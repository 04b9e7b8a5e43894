from django.urls import path

from .views import (
    changes,
    checkin_files,
    cockpit,
    live,
    live_guests,
    live_ideas,
    live_timer,
    live_votes,
    material_workbook,
    members,
    milestones,
    notifying,
    portability,
    projects,
    reports,
    reviews,
    rows,
    share_links,
    shared,
    swot,
    version_comments,
    versions,
    what_if,
    wizard,
)

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/new/", projects.project_create_view, name="project_create"),
    path("projects/import/", portability.project_import_view, name="project_import"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/export/", portability.project_export_view, name="project_export"),
    path("projects/<int:pk>/material.xlsx", material_workbook.project_material_workbook, name="project_material_xlsx"),
    path("projects/<int:pk>/members/", members.member_list, name="member_list"),
    # Issue 17, item 1: try a change and see what follows, nothing saved
    path("projects/<int:pk>/what-if/", what_if.what_if, name="what_if"),
    path("projects/<int:pk>/what-if/scenarios/", what_if.scenario_create, name="scenario_create"),
    path("projects/<int:pk>/what-if/scenarios/<int:scenario_pk>/", what_if.scenario_detail, name="scenario_detail"),
    path(
        "projects/<int:pk>/what-if/scenarios/<int:scenario_pk>/apply/",
        what_if.scenario_apply_view,
        name="scenario_apply",
    ),
    path(
        "projects/<int:pk>/what-if/scenarios/<int:scenario_pk>/discard/",
        what_if.scenario_discard_view,
        name="scenario_discard",
    ),
    # Notifications (issue 16): the inbox and its bell, one's settings, @-mentions, the project's webhook
    path("notifications/", notifying.notification_inbox, name="notification_inbox"),
    path("notifications/bell/", notifying.notification_bell, name="notification_bell"),
    path("notifications/read/", notifying.notification_read, name="notification_read"),
    path("notifications/settings/", notifying.notification_preferences, name="notification_preferences"),
    path("projects/<int:pk>/members/mentions/", notifying.mention_suggestions, name="mention_suggestions"),
    path("projects/<int:pk>/notifications/webhook/", notifying.project_webhook, name="project_webhook"),
    path(
        "projects/<int:pk>/notifications/webhook/test/",
        notifying.project_webhook_test_view,
        name="project_webhook_test",
    ),
    path("projects/<int:pk>/changes/", changes.project_changes, name="project_changes"),
    path("projects/<int:pk>/members/<int:membership_pk>/remove/", members.member_remove, name="member_remove"),
    path("projects/<int:pk>/members/<int:membership_pk>/role/", members.member_change_role, name="member_change_role"),
    path("projects/<int:pk>/workshop/", wizard.wizard_start, name="wizard_start"),
    path("projects/<int:pk>/workshop/<slug:key>/", wizard.wizard_step, name="wizard_step"),
    path(
        "projects/<int:pk>/workshop/<slug:key>/checklist/<int:question_pk>/",
        wizard.checklist_answer_save,
        name="checklist_answer_save",
    ),
    path("projects/<int:pk>/workshop/<slug:key>/comments/", wizard.step_comment_add, name="step_comment_add"),
    path("projects/<int:pk>/swot/", swot.swot_page, name="swot_page"),
    path("projects/<int:pk>/swot/notes/", swot.swot_note_add, name="swot_note_add"),
    path("projects/<int:pk>/swot/notes/<int:note_pk>/", swot.swot_note_edit, name="swot_note_edit"),
    path("projects/<int:pk>/swot/notes/<int:note_pk>/delete/", swot.swot_note_delete, name="swot_note_delete"),
    path("projects/<int:pk>/workshop/<slug:key>/rows/<slug:kind_name>/new/", rows.row_new, name="row_new"),
    path(
        "projects/<int:pk>/workshop/<slug:key>/rows/<slug:kind_name>/<slug:ident>/", rows.row_detail, name="row_detail"
    ),
    path(
        "projects/<int:pk>/workshop/<slug:key>/rows/<slug:kind_name>/<slug:ident>/edit/", rows.row_edit, name="row_edit"
    ),
    path(
        "projects/<int:pk>/workshop/<slug:key>/rows/<slug:kind_name>/<slug:ident>/delete/",
        rows.row_delete,
        name="row_delete",
    ),
    path(
        "projects/<int:pk>/workshop/<slug:key>/rows/<slug:kind_name>/<slug:ident>/move/", rows.row_move, name="row_move"
    ),
    path("projects/<int:pk>/versions/new/", versions.version_start, name="version_start"),
    path("projects/<int:pk>/versions/compare/", versions.version_compare, name="version_compare"),
    path("projects/<int:pk>/versions/<int:version_pk>/", versions.version_detail, name="version_detail"),
    path("projects/<int:pk>/versions/<int:version_pk>/edit/", versions.version_update, name="version_update"),
    path("projects/<int:pk>/versions/<int:version_pk>/options/", versions.version_options, name="version_options"),
    path(
        "projects/<int:pk>/versions/<int:version_pk>/options/<int:option_pk>/",
        versions.version_option,
        name="version_option",
    ),
    path("projects/<int:pk>/versions/<int:version_pk>/submit/", versions.version_submit, name="version_submit"),
    path("projects/<int:pk>/versions/<int:version_pk>/decide/", versions.version_decide, name="version_decide"),
    path("projects/<int:pk>/versions/<int:version_pk>/reopen/", versions.version_reopen, name="version_reopen"),
    path(
        "projects/<int:pk>/versions/<int:version_pk>/comments/",
        version_comments.version_comments,
        name="version_comments",
    ),
    path(
        "projects/<int:pk>/versions/<int:version_pk>/successor/", versions.version_successor, name="version_successor"
    ),
    path("projects/<int:pk>/versions/<int:version_pk>/reports/", reports.report_section, name="report_section"),
    path("projects/<int:pk>/versions/<int:version_pk>/reports/new/", reports.report_create, name="report_create"),
    path("projects/<int:pk>/reports/<int:report_pk>/status/", reports.report_status, name="report_status"),
    path("projects/<int:pk>/reports/<int:report_pk>/retry/", reports.report_retry_view, name="report_retry"),
    path("projects/<int:pk>/reports/<int:report_pk>/download/", reports.report_download, name="report_download"),
    # Read-only links to the approved version (issue 16, item 2): made and revoked by consultants and
    # managers; the pages they open are for anyone holding the token (strategies/views/shared.py).
    path("projects/<int:pk>/versions/<int:version_pk>/links/", share_links.share_links, name="share_links"),
    path(
        "projects/<int:pk>/versions/<int:version_pk>/links/<int:link_pk>/revoke/",
        share_links.share_link_revoke_view,
        name="share_link_revoke",
    ),
    path("shared/<str:token>/", shared.shared_version, name="shared_version"),
    path("shared/<str:token>/cockpit/", shared.shared_cockpit, name="shared_cockpit"),
    path("shared/<str:token>/report/<str:language>/", shared.shared_report, name="shared_report"),
    # h1: the implementation cockpit (issue 14): where the approved strategy stands, KPI check-ins and tracking
    path("projects/<int:pk>/cockpit/", cockpit.cockpit, name="cockpit"),
    path("projects/<int:pk>/cockpit/kpis/<int:kpi_key>/", cockpit.kpi_detail, name="kpi_detail"),
    path(
        "projects/<int:pk>/cockpit/kpis/<int:kpi_key>/checkins/<int:checkin_pk>/correct/",
        cockpit.kpi_checkin_correct,
        name="kpi_checkin_correct",
    ),
    path("projects/<int:pk>/cockpit/kpis/<int:kpi_key>/tracking/", cockpit.kpi_tracking, name="kpi_tracking"),
    # h2: milestones move, and reviews are recorded (issue 14, items 5 and 7)
    path(
        "projects/<int:pk>/cockpit/milestones/<int:milestone_pk>/",
        milestones.milestone_status,
        name="milestone_status",
    ),
    path("projects/<int:pk>/reviews/", reviews.review_list, name="review_list"),
    path("projects/<int:pk>/reviews/new/", reviews.review_new, name="review_new"),
    path("projects/<int:pk>/reviews/<int:review_pk>/", reviews.review_detail, name="review_detail"),
    # h5: check-ins as CSV/XLSX files, and their bulk upload
    path("projects/<int:pk>/cockpit/checkins.<str:fmt>", checkin_files.checkins_export, name="checkins_export"),
    path("projects/<int:pk>/cockpit/checkins/upload/", checkin_files.checkins_upload, name="checkins_upload"),
    # h6: the status report (issue 14, item 9)
    path("projects/<int:pk>/cockpit/status-report/", reports.status_report_section, name="status_report_section"),
    # The live workshop (issue 15): the room, guests, timer, dot-votes and idea rounds
    path("projects/<int:pk>/live/", live.live_room, name="live_room"),
    path("projects/<int:pk>/live/start/", live.live_session_start, name="live_session_start"),
    path("projects/<int:pk>/live/end/", live.live_session_end, name="live_session_end"),
    path("projects/<int:pk>/live/qr.svg", live_guests.live_qr, name="live_qr"),
    path("live/join/", live_guests.live_join, name="live_join"),
    path("live/join/<str:code>/", live_guests.live_join_code, name="live_join_code"),
    path("live/guest/", live_guests.live_guest, name="live_guest"),
    path("live/guest/step/", live_guests.live_guest_step, name="live_guest_step"),
    path("live/guest/leave/", live_guests.live_guest_leave, name="live_guest_leave"),
    path("projects/<int:pk>/live/timer/", live_timer.live_timer_panel, name="live_timer_panel"),
    path("projects/<int:pk>/live/timer/control/", live_timer.live_timer_control, name="live_timer_control"),
    path("projects/<int:pk>/live/vote/", live_votes.live_vote_panel, name="live_vote_panel"),
    path("projects/<int:pk>/live/votes/new/", live_votes.live_vote_open, name="live_vote_open"),
    path("projects/<int:pk>/live/votes/<int:vote_pk>/dots/", live_votes.live_vote_dot, name="live_vote_dot"),
    path("projects/<int:pk>/live/votes/<int:vote_pk>/close/", live_votes.live_vote_close, name="live_vote_close"),
    path("projects/<int:pk>/live/votes/<int:vote_pk>/reveal/", live_votes.live_vote_reveal, name="live_vote_reveal"),
    path("projects/<int:pk>/live/votes/<int:vote_pk>/apply/", live_votes.live_vote_apply, name="live_vote_apply"),
    path("projects/<int:pk>/live/ideas/", live_ideas.live_ideas_panel, name="live_ideas_panel"),
    path("projects/<int:pk>/live/ideas/new/", live_ideas.live_idea_round_open, name="live_idea_round_open"),
    path(
        "projects/<int:pk>/live/ideas/<int:round_pk>/cards/", live_ideas.live_idea_card_add, name="live_idea_card_add"
    ),
    path(
        "projects/<int:pk>/live/ideas/<int:round_pk>/reveal/",
        live_ideas.live_idea_round_reveal,
        name="live_idea_round_reveal",
    ),
    path(
        "projects/<int:pk>/live/ideas/<int:round_pk>/end/", live_ideas.live_idea_round_end, name="live_idea_round_end"
    ),
    path(
        "projects/<int:pk>/live/ideas/<int:round_pk>/cards/<int:card_pk>/decide/",
        live_ideas.live_idea_card_decide,
        name="live_idea_card_decide",
    ),
]
