"""What a message to a resident by email or text has, whichever outbox holds it: an
appointment's (``messages``) or a referral's reference (``followup_messages``). Their columns of
sending mean the same in both, so one record type holds them; each box's own record adds what
it alone has (what it speaks of, and its own life)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRow:
    id: int
    channel: str
    """email or text"""
    via: str
    """smtp or notify"""
    status: str
    reference: str
    """Ours, given to the provider with each try (Notify is looked up by it)."""
    attempts: int
    provider_id: str | None
    last_error: str | None
    created_at: str
    sent_at: str | None = None
    handed_over_at: str | None = None
    """When it was last handed over (the end of DATA, or the request to Notify) while no try
    since has had a sure answer (None: no try of it can have reached the provider)."""
    message_id: str | None = None
    """An email's Message-ID, kept from its first hand-over on (every resend goes under it)."""
