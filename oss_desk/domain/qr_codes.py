"""What the office's QR codes begin with, as a scanner types them: the one home of both
prefixes, for what prints or sends a code (the slip, the messages, the paper ticket) and what
reads one (the desk's scan reader, the ticket lookup)."""

from __future__ import annotations

BOOKING_QR = "OSSD-A:"
"""A booking's code: ``OSSD-A:K7M-3QX`` (the appointment slip, the confirmation email)."""

TICKET_QR = "OSSD-T:"
"""A paper ticket's code as printed by default (``resident.ticket_qr``):
``OSSD-T:hq:2026-11-23:C012``."""

NOT_OURS_TITLE = "Not a ticket or booking"
"""The heading a desk shows when a scanned code is none of the office's (a scan, not typing)."""

NOT_OURS = (
    "That code is not an oss-desk ticket or booking: ask the resident for their paper ticket, "
    "or their booking's reference (e.g. K7M-3QX)"
)
"""What a desk says of a scanned code that is none of the office's: neither a queue ticket's
nor a booking's (a council's other QR code, a parcel's, a ticket's code cut short)."""
