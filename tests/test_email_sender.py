"""Who an email to a resident is from, what happens to a reply, and the calendar file of a
cancellation, through a loopback SMTP server (aiosmtpd) (trial12 P3, P4)."""

from __future__ import annotations

from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.outgoing import message_domain

from .appointments_site import NOW, make_office, service_at
from .messaging import SmtpServer
from .test_messages import at, deliver, ics_of, text_of

REPLIES = (
    'replies = "Replies to this email are not read: call 01632 960000."\n'
    'replies_cy = "Does neb yn darllen atebion i\'r e-bost hwn: ffoniwch 01632 960000."\n'
)


def sender(message: EmailMessage) -> tuple[str, str]:
    header = message["From"]
    (address,) = header.addresses
    assert isinstance(address, Address)
    return address.display_name, address.addr_spec


def test_the_sender_has_a_name_and_the_message_id_a_domain(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    appt = svc.book("C", at(26, 11), channel="email", email="one@example.org")
    session.close()
    assert deliver(db, NOW) == (1, 0)
    [mail] = smtp.mailbox.messages
    # The council's name, beside the configured address (the inbox shows the name).
    assert sender(mail) == ("Test Council", "appointments@test.example")
    message_id = str(mail["Message-ID"])
    assert message_id.startswith(f"<oss-{appt.id}-con-")
    assert message_id.endswith("@test.example>")
    # No line on replies unless the office gives one.
    assert "Replies" not in text_of(mail)


def test_a_named_sender_and_the_offices_line_on_replies_welsh_first(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    from .test_welsh import office, welsh_toml

    toml = welsh_toml().replace(
        "[queue]",
        f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "siop@test.example"\n{REPLIES}\n[queue]',
    )
    db = office(tmp_path, toml)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="one@example.org")
    session.close()
    assert deliver(db, NOW) == (1, 0)
    [mail] = smtp.mailbox.messages
    assert sender(mail) == ("Cyngor Prawf / Test Council", "siop@test.example")
    body = text_of(mail).replace("\r\n", "\n")
    welsh = body.index("Does neb yn darllen atebion i'r e-bost hwn: ffoniwch 01632 960000.")
    english = body.index("Replies to this email are not read: call 01632 960000.")
    assert body.index("Cyfeirnod archebu") < welsh < body.index("Booking reference") < english
    assert body.rstrip().endswith("Test Council")

    # A configured name wins over the council's.
    config = tmp_path / "office.toml"
    config.write_text(
        toml.replace(REPLIES, REPLIES + 'from_name = "Siop Un Stop / One Stop Shop"\n'), "utf-8"
    )
    from oss_desk.services.site import initialise

    initialise(db, clock=FixedClock(NOW), config_path=config)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 12), channel="email", email="two@example.org")
    session.close()
    deliver(db, NOW)
    assert parseaddr(str(smtp.mailbox.messages[-1]["From"]))[1] == "siop@test.example"
    assert sender(smtp.mailbox.messages[-1])[0] == "Siop Un Stop / One Stop Shop"


def test_a_cancellation_is_a_newer_version_of_the_event(tmp_path: Path, smtp: SmtpServer) -> None:
    """RFC 5545 3.8.7.4: a calendar app takes an event off only for a CANCEL whose SEQUENCE is
    higher than that of the last version it was sent."""
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    kept = svc.book("C", at(26, 11), channel="email", email="one@example.org")
    moved = svc.book("C", at(26, 12), channel="email", email="two@example.org")
    session.close()
    assert deliver(db, NOW) == (2, 0)
    later = NOW + timedelta(hours=1)
    svc, session = service_at(db, FixedClock(later))
    svc.move(moved.ref, at(30, 14))
    session.close()
    deliver(db, later)
    svc, session = service_at(db, FixedClock(later))
    svc.cancel(kept.ref, by="resident")
    svc.cancel(moved.ref, by="council")
    session.close()
    deliver(db, later)

    def sequences(appointment_id: int) -> list[tuple[str, int]]:
        found = []
        for mail in smtp.mailbox.by_reference(f"oss-{appointment_id}-"):
            event = ics_of(mail).walk("VEVENT")[0]
            found.append((str(event["status"]), int(event.decoded("sequence"))))
        return found

    assert sequences(kept.id) == [("CONFIRMED", 1), ("CANCELLED", 2)]
    assert sequences(moved.id) == [("CONFIRMED", 1), ("CONFIRMED", 2), ("CANCELLED", 3)]


def test_the_message_domain() -> None:
    assert message_domain("desk@council.gov.uk") == "council.gov.uk"
    assert message_domain("oss-desk@localhost") == "localhost"
    assert message_domain("nobody") == "oss-desk.invalid"
