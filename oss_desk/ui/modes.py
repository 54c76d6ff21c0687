"""The desk app's modes (meet-and-greet, the adviser desk, the team leader, appointments,
reports, follow-ups): their titles, the permission that opens each, the module of each one's
screen, and the app's own keys (F1 help, F2-F6 and Ctrl+F for the modes, ...)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from oss_desk.domain.access import Action

MODE_TITLES = {
    "greet": "Meet and greet",
    "desk": "Adviser desk",
    "leader": "Team leader",
    "appointments": "Appointments",
    "reports": "Reports",
    "followups": "Follow-ups",
}
MODE_NEEDS = {
    "greet": Action.ISSUE_TICKET,
    "desk": Action.CALL_NEXT,
    "leader": Action.VIEW_REPORTS,
    "appointments": Action.VIEW_APPOINTMENTS,
    "reports": Action.VIEW_REPORTS,
    # Every role may record a comment, compliment or complaint; each sees the kinds it may.
    "followups": Action.RECORD_FEEDBACK,
}
"""The permission that opens each mode: a person sees only the modes of their role."""

SCREENS_BY_MODE: dict[str, str] = {
    "greet": "oss_desk.ui.screens.greet:GreetScreen",
    "desk": "oss_desk.ui.screens.adviser:AdviserScreen",
    "leader": "oss_desk.ui.screens.leader:LeaderScreen",
    "appointments": "oss_desk.ui.screens.appointments:AppointmentsScreen",
    "reports": "oss_desk.ui.screens.reports:ReportsScreen",
    "followups": "oss_desk.ui.screens.followups:FollowupsScreen",
}
"""Each mode's screen (``module:class``), built with this app as its
:class:`~oss_desk.ui.context.DeskContext`. A mode's module is imported when the mode is
first shown: the first frame pays only for the first screen."""

APP_BINDINGS: list[BindingType] = [
    Binding("f1", "help", "Help", id="app.help", tooltip="The keys of this screen"),
    Binding(
        "f2",
        "switch_mode('greet')",
        "Greet",
        id="app.mode_greet",
        tooltip="Meet and greet: issue tickets, quick visits",
    ),
    Binding(
        "f3",
        "switch_mode('desk')",
        "Desk",
        id="app.mode_desk",
        tooltip="Adviser desk: call, serve, finish",
    ),
    Binding(
        "f4",
        "switch_mode('leader')",
        "Leader",
        id="app.mode_leader",
        tooltip="Team leader: desks, queue by service, today's figures",
    ),
    Binding(
        "f5",
        "switch_mode('appointments')",
        "Appointments",
        id="app.mode_appointments",
        tooltip="Appointments: the day and week grid, book, check in, move, cancel",
    ),
    Binding(
        "f6",
        "switch_mode('reports')",
        "Reports",
        id="app.mode_reports",
        tooltip="Reports: the daily footfall summary and the monthly dashboard",
    ),
    Binding(
        "ctrl+f",
        "switch_mode('followups')",
        "Follow-ups",
        id="app.mode_followups",
        tooltip="Follow-ups: ring-backs, referrals, comments, compliments and complaints",
    ),
    Binding(
        "ctrl+t",
        "toggle_contrast",
        "Contrast",
        id="app.contrast",
        tooltip="Switch between the council theme and high contrast",
    ),
    Binding(
        "f10",
        "resident_view",
        "Resident's view",
        id="app.resident_view",
        tooltip="The printed ticket and the board, as the resident sees them",
    ),
    Binding(
        "ctrl+q",
        "quit",
        "Quit",
        id="app.quit",
        tooltip="Close the desk app",
        show=False,
        priority=True,
    ),
]
"""The app's own keys, on every screen."""
