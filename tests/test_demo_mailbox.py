"""The demo's mailbox (``capture://`` mail, an mbox file): each message is appended, never the
whole file read again first (``mailbox.mbox`` did, before each message it added, a cost
growing with the file), and the file is byte for byte what ``mailbox.mbox``
writes, so any mail client shows the same."""

from __future__ import annotations

import mailbox
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.config_delivery import EmailSettings
from oss_desk.services.messages import Composed
from oss_desk.services.senders import SendFault, SmtpSender

FROM_LINE = re.compile(rb"^From MAILER-DAEMON .*$", re.M)
DATE = re.compile(rb"^Date: .*$", re.M)
BOUNDARY = re.compile(rb"=+\d+==")
BODY = "Your appointment is booked.\nFrom the council: bring your letter.\n>From before.\n"
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def composed(n: int) -> Composed:
    return Composed(
        heading="Booked",
        subject=f"Your appointment is booked ({n})",
        body=BODY,
        sms="",
        ics=ICS if n % 2 else None,
    )


def sender(box: Path) -> SmtpSender:
    return SmtpSender(EmailSettings.model_validate({"smtp_url": f"capture://{box}"}))


def read_chars() -> int:
    """Bytes this process has read from files so far (the kernel's count)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_the_mailbox_is_written_as_the_standard_library_writes_it(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.mbox", tmp_path / "theirs.mbox"
    box = mailbox.mbox(theirs)
    for n in range(4):
        email = sender(ours)._build(f"r{n}@example.org", composed(n), f"APPT-{n}")
        sender(ours).send(f"r{n}@example.org", composed(n), f"APPT-{n}")
        box.lock()
        box.add(email)
        box.flush()
        box.unlock()
    box.close()
    stamp = b"From MAILER-DAEMON Mon Jan  1 00:00:00 2026"
    mine, stdlib = ours.read_bytes(), theirs.read_bytes()
    assert mine.count(b"\n>From the council") == 4  # a body line starting "From " is quoted

    # Only the moments may differ (each written when it was), and the MIME boundaries (random).
    def same(data: bytes) -> bytes:
        data = FROM_LINE.sub(stamp, DATE.sub(b"Date: -", data))
        return BOUNDARY.sub(b"==BOUNDARY==", data)

    assert same(mine) == same(stdlib)
    read = list(mailbox.mbox(ours))
    assert [m["To"] for m in read] == [f"r{n}@example.org" for n in range(4)]
    assert [m["Message-ID"] for m in read] == [f"<APPT-{n}@localhost>" for n in range(4)]
    assert ours.stat().st_mode & 0o777 == 0o600


def test_a_message_is_appended_without_reading_the_mailbox(tmp_path: Path) -> None:
    box = tmp_path / "mailbox.mbox"
    send = sender(box)
    send.send("first@example.org", composed(0), "APPT-0")
    with box.open("ab") as out:  # a mailbox grown large: 8 MB of earlier messages
        out.write(box.read_bytes() * (8_000_000 // box.stat().st_size))
    size = box.stat().st_size
    before = read_chars()
    send.send("last@example.org", composed(1), "APPT-1")
    read = read_chars() - before
    assert read < 1_000_000, f"{read} bytes read to add one message to a {size}-byte mailbox"
    # The last message as the standard library reads the mailbox (its "From " lines found in
    # the whole file, that one message parsed, not the thousands before it).
    read_back = mailbox.mbox(box)
    assert read_back[read_back.keys()[-1]]["To"] == "last@example.org"


def test_a_mailbox_another_program_holds_is_retried_later(tmp_path: Path) -> None:
    """A mail client holding the mailbox's lock: the message waits for a later round (a
    retryable fault, as before), it is never written beside the client's."""
    box = tmp_path / "mailbox.mbox"
    sender(box).send("first@example.org", composed(0), "APPT-0")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"f = open({str(box)!r}, 'ab')\n"
            "fcntl.lockf(f, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(SendFault) as fault:
            sender(box).send("second@example.org", composed(1), "APPT-1")
        assert fault.value.retry and "second@example.org" not in fault.value.reason
        # In plain words: never the OS's "[Errno 11] Resource temporarily unavailable".
        assert fault.value.reason == f"cannot write {box}: another program has it locked for now"
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    sender(box).send("second@example.org", composed(1), "APPT-1")  # the next round
    assert [m["To"] for m in mailbox.mbox(box)] == ["first@example.org", "second@example.org"]


def test_a_message_cut_short_by_a_full_disk_leaves_no_half_of_it(tmp_path: Path) -> None:
    """A write that fails part-way (a full disk; a file-size limit stands for one, in a process
    of its own) is cut back off: the retry's whole message never follows half of it, which a
    mail client would show as a message of its own (``mailbox.mbox`` cut it back too)."""
    box = tmp_path / "mailbox.mbox"
    sender(box).send("first@example.org", composed(0), "APPT-0")
    size = box.stat().st_size
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, signal, sys\n"
            "from tests.test_demo_mailbox import composed, sender\n"
            "from oss_desk.services.senders import SendFault\n"
            "from pathlib import Path\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({size} + 200, resource.RLIM_INFINITY))\n"
            "try:\n"
            f"    sender(Path({str(box)!r})).send('second@example.org', composed(1), 'APPT-1')\n"
            "except SendFault as fault:\n"
            "    print('retry' if fault.retry else 'final')\n",
        ],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.stdout.strip() == "retry", child.stderr
    assert box.stat().st_size == size  # nothing of the second message is left
    sender(box).send("second@example.org", composed(1), "APPT-1")  # the next round
    assert [m["To"] for m in mailbox.mbox(box)] == ["first@example.org", "second@example.org"]


def test_a_mailbox_dot_locked_by_another_program_is_retried_later(tmp_path: Path) -> None:
    """A mail tool that takes only the dot-lock (``PATH.lock``, as procmail's ``lockfile``
    does), in a process of its own: the message waits for a later round, never written while
    that program has the mailbox; the dot-lock is taken for each append and let go after it
    (none left behind), and one left by a program that died long ago is taken as stale."""
    box = tmp_path / "mailbox.mbox"
    lock = tmp_path / "mailbox.mbox.lock"
    sender(box).send("first@example.org", composed(0), "APPT-0")
    assert not lock.exists()
    size = box.stat().st_size
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            f"os.close(os.open({str(lock)!r}, os.O_WRONLY | os.O_CREAT | os.O_EXCL))\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n"
            f"os.unlink({str(lock)!r})\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(SendFault) as fault:
            sender(box).send("second@example.org", composed(1), "APPT-1")
        assert fault.value.retry
        assert fault.value.reason == f"cannot write {box}: another program has it locked for now"
        assert box.stat().st_size == size and lock.exists()  # theirs, untouched
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=10) == 0
    assert not lock.exists()
    sender(box).send("second@example.org", composed(1), "APPT-1")  # the next round
    assert not lock.exists()
    lock.write_bytes(b"")  # left by a program killed half an hour ago
    os.utime(lock, (time.time() - 1800, time.time() - 1800))
    sender(box).send("third@example.org", composed(2), "APPT-2")
    assert not lock.exists()
    assert [m["To"] for m in mailbox.mbox(box)] == [
        "first@example.org",
        "second@example.org",
        "third@example.org",
    ]


def test_a_mailbox_in_a_folder_this_user_may_not_write_is_appended_under_lockf_alone(
    tmp_path: Path,
) -> None:
    """A mail spool (``/var/mail``: the folder is root's, the user may write only their own
    file): no dot-lock can be made there, so the message is appended under the ``lockf`` lock
    alone, as ``mailbox.mbox`` does; never a fault retried for ever that says the user may not
    write a file they can write. Run as another user (nobody) when the tests run as root."""
    import tempfile

    spool = Path(tempfile.mkdtemp(prefix="oss-desk-spool-"))  # /tmp: nobody can reach it
    box = spool / "train.mbox"
    try:
        box.write_bytes(b"")
        box.chmod(0o600)
        as_root = os.geteuid() == 0
        if as_root:
            os.chown(box, 65534, 65534)
        spool.chmod(0o555)
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import fcntl, os\n"
                "from tests.test_demo_mailbox import composed, sender\n"
                "from oss_desk.services.senders import SendFault\n"
                "from pathlib import Path\n"
                # Imported first, as root (the interpreter may sit in a folder only root reads).
                "sender(Path('x'))._build('first@example.org', composed(0), 'A-0')\n"
                f"if {as_root}:\n"
                "    os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
                "try:\n"
                f"    sender(Path({str(box)!r})).send('first@example.org', composed(0), 'A-0')\n"
                "except SendFault as fault:\n"
                "    print(fault.reason)\n"
                "else:\n"
                "    print('sent')\n",
            ],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child.stdout.strip() == "sent", child.stderr
        assert [m["To"] for m in mailbox.mbox(box)] == ["first@example.org"]
        assert sorted(p.name for p in spool.iterdir()) == ["train.mbox"]  # no lock left
    finally:
        spool.chmod(0o755)
        box.unlink(missing_ok=True)
        spool.rmdir()


def test_a_stale_dot_lock_taken_by_another_sender_meanwhile_is_left_to_it(tmp_path: Path) -> None:
    """Two senders saw the same stale dot-lock; the first removed it and made its own. The
    second's removal must not take that fresh lock away (both would then hold "the" lock)."""
    from oss_desk.services.mbox import STALE_DOT_LOCK, take_stale

    lock = tmp_path / "mailbox.mbox.lock"
    lock.write_bytes(b"")
    long_ago = time.time() - STALE_DOT_LOCK - 600
    os.utime(lock, (long_ago, long_ago))
    seen = lock.stat()  # this sender saw it stale
    lock.unlink()  # the other sender took it away ...
    lock.write_bytes(b"theirs")  # ... and holds its own, fresh one
    take_stale(lock, seen)
    assert lock.read_bytes() == b"theirs"
    os.utime(lock, (long_ago, long_ago))  # theirs, left behind long ago in turn
    take_stale(lock, lock.stat())
    assert list(tmp_path.iterdir()) == []  # removed, and nothing left aside


def test_an_existing_mailbox_keeps_its_mode_and_a_new_one_is_private(tmp_path: Path) -> None:
    """A mailbox on a mail spool is ``user:mail 0660``: its delivery agent writes to it through
    the mail group, so appending never takes that away (``mailbox.mbox`` leaves modes alone).
    A mailbox that is not there yet is made 0600, whatever the umask: it holds names."""
    spool = tmp_path / "spool"
    spool.mkdir()
    shared = spool / "train"
    shared.write_bytes(b"")
    shared.chmod(0o660)
    sender(shared).send("first@example.org", composed(0), "A-0")
    assert shared.stat().st_mode & 0o777 == 0o660
    assert [m["To"] for m in mailbox.mbox(shared)] == ["first@example.org"]
    fresh = tmp_path / "new" / "mailbox.mbox"
    old_umask = os.umask(0)
    try:
        sender(fresh).send("first@example.org", composed(1), "A-1")
    finally:
        os.umask(old_umask)
    assert fresh.stat().st_mode & 0o777 == 0o600
    assert fresh.parent.stat().st_mode & 0o777 == 0o700


def test_a_dot_lock_put_back_after_its_holder_let_go_clears_itself_within_the_stale_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrow race of ``take_stale``: a stale dot-lock is replaced by another program's
    fresh one just before we move it aside, and that program lets go (its unlink finds
    nothing) before we put its lock back. The lock then stands with nobody holding it; but it
    keeps its maker's time (put back by a hard link, the same file), so it is taken as stale
    no later than :data:`STALE_DOT_LOCK` after that program made it, and until then sends are
    retried, never lost or doubled. (Bounded, and narrower than ``dotlockfile``'s own, which
    unlinks by name.) The interleaving is forced here by running the holder's unlink just
    before the put-back."""
    from oss_desk.services import mbox as senders

    box = tmp_path / "mailbox.mbox"
    lock = tmp_path / "mailbox.mbox.lock"
    sender(box).send("first@example.org", composed(0), "APPT-0")
    lock.write_bytes(b"")  # the stale one we saw
    seen = lock.stat()
    lock.rename(tmp_path / "taken")  # taken by another program (kept: a new inode follows)
    lock.write_bytes(b"")  # another program's fresh one, made since
    made = lock.stat().st_mtime_ns
    real_link = os.link

    def holder_lets_go_first(src: str | Path, dst: str | Path) -> None:
        lock.unlink(missing_ok=True)  # the holder's unlink: its lock is aside, so nothing
        real_link(src, dst)

    monkeypatch.setattr(os, "link", holder_lets_go_first)
    senders.take_stale(lock, seen)
    monkeypatch.undo()
    assert lock.exists() and lock.stat().st_mtime_ns == made  # put back, its maker's time
    with pytest.raises(SendFault) as fault:
        sender(box).send("second@example.org", composed(1), "APPT-1")
    assert fault.value.retry
    aged = time.time() - senders.STALE_DOT_LOCK - 1  # its maker's time, five minutes on
    os.utime(lock, (aged, aged))
    sender(box).send("second@example.org", composed(1), "APPT-1")
    assert not lock.exists()
    assert [m["To"] for m in mailbox.mbox(box)] == ["first@example.org", "second@example.org"]
