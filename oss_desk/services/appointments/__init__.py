"""Appointments: free slots, book, move, cancel, no-show, check-in, and the messages they cause.

Every change is one ``BEGIN IMMEDIATE`` transaction that also commits its events and its
messages (confirmation, reminders, change or cancellation notice), so a message is never sent for
a booking that did not happen and never forgotten for one that did. The time an appointment
holds is recorded unit by unit under a UNIQUE key: two desks booking the same adviser or room at
the same moment cannot both succeed.
"""

from oss_desk.services.appointments.absences import AppointmentAbsences
from oss_desk.services.appointments.base import ACTIVE_KINDS, said
from oss_desk.services.appointments.changes import AppointmentChanges
from oss_desk.services.appointments.check_in import AppointmentCheckIn

__all__ = ["ACTIVE_KINDS", "AppointmentService", "said"]


class AppointmentService(AppointmentCheckIn, AppointmentChanges, AppointmentAbsences):
    """The appointment use cases, one part per module of this package: ``base`` (roles, the
    calendar, events), ``reading``, ``booking``, ``changes``, ``check_in`` and ``absences``."""
