"""The locked-down monitor port over real TCP sockets: registered senders, poison values, held readings, quarantine limits, TLS."""

import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest

from accounts.choices import Role
from accounts.services import update_policy
from infusions.tests.helpers import infusing, t0
from interop import services
from interop.choices import Hl7Status
from interop.hl7.listener import MllpListener
from interop.hl7.quarantine import accept_held_message, expire_quarantine, held_messages, reject_held_message
from interop.hl7.tls import tls_context
from interop.models import Hl7Message, Hl7Refusal, Hl7Sender
from toolkit.errors import ServiceError

from .mllp_helpers import Sender, device_rows, msa, oru

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def live(world):
    session = infusing(world, t0(2))
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0, max_bytes=64 * 1024).start()
    yield session, listener
    listener.stop(abort=True)


def ack_text(ack: str) -> str:
    return next(seg for seg in ack.split("\r") if seg.startswith("MSA")).split("|")[3]


def _only_sender(world, app="KETACARE_SIM", addresses=""):
    """Clinic A accepts exactly one sender."""
    Hl7Sender.objects.filter(clinic=world.a).delete()
    services.register_sender(clinic=world.a, sending_application=app, sending_facility="DEMO_CLINIC",
                             source_addresses=addresses, at=datetime.now(UTC), by="test")


# -- the sender allowlist

def test_an_unregistered_sender_gets_ae_is_counted_and_nothing_is_stored(world, live):
    session, listener = live
    _only_sender(world, app="SOME_OTHER_MONITOR")
    sender = Sender(listener.address)
    for n in range(3):
        ack = sender.send(oru(session, f"X{n}", vitals=None))
        assert msa(ack) == ("AE", f"X{n}") and "not registered" in ack_text(ack)
    sender.close()
    assert not Hl7Message.objects.exists() and not device_rows(session).exists()
    counter = Hl7Refusal.objects.get(clinic=world.a)
    assert (counter.count, counter.reason, counter.source_addr) == (3, "unregistered", "127.0.0.1")
    assert counter.sending_application.startswith("KETACARE_SIM^")


def test_a_registered_sender_by_its_first_component_is_accepted(world, live):
    session, listener = live
    _only_sender(world, app="KETACARE_SIM")
    sender = Sender(listener.address)
    assert msa(sender.send(oru(session, "OK1"))) == ("AA", "OK1")
    sender.close()
    assert device_rows(session).count() == 1 and not Hl7Refusal.objects.exists()


def test_a_sender_registered_for_other_addresses_is_refused_from_this_one(world, live):
    session, listener = live
    _only_sender(world, addresses="10.9.9.9, 192.168.7.0/24")
    sender = Sender(listener.address)
    ack = sender.send(oru(session, "ADDR1"))
    sender.close()
    assert msa(ack)[0] == "AE" and "address" in ack_text(ack)
    assert Hl7Refusal.objects.get().reason == "address" and not device_rows(session).exists()


def test_a_retired_sender_is_refused(world, live):
    session, listener = live
    _only_sender(world)
    services.retire_sender(sender=Hl7Sender.objects.get(clinic=world.a), by="test")
    import time

    time.sleep(2.1)  # the listener reloads its registry every 2 s
    sender = Sender(listener.address)
    assert msa(sender.send(oru(session, "RET1")))[0] == "AE"
    sender.close()
    assert not device_rows(session).exists()


def test_registering_a_sender_refuses_bad_addresses_and_needs_the_clinic_admin(world):
    with pytest.raises(ServiceError, match="not an IP address"):
        services.register_sender(clinic=world.a, sending_application="M1", sending_facility="F", source_addresses="10.0.0.300",
                                 at=datetime.now(UTC), by="test")
    with pytest.raises(ServiceError, match="does not allow"):
        services.register_sender(clinic=world.a, sending_application="M1", sending_facility="F", at=datetime.now(UTC),
                                 by=world.users[Role.NURSE])
    sender = services.register_sender(clinic=world.a, sending_application="M1", sending_facility="F",
                                      source_addresses="10.0.5.7/24", at=datetime.now(UTC),
                                      by=world.users[Role.CLINIC_ADMIN])
    assert sender.source_addresses == "10.0.5.0/24"


# -- poison values

@pytest.mark.parametrize(("value", "reason"), [
    ("9" * 400, "400 characters long"),
    ("1" * 40 + ".5", "42 characters long"),
    ("1e400", "not a number"),
    ("NaN", "not a number"),
    ("\u0661\u0662\u0660", "not a number"),  # Arabic-Indic digits: not HL7 NM
])
def test_a_poison_value_gets_ae_with_the_reason_and_the_connection_stays_usable(live, value, reason):
    session, listener = live
    good = oru(session, "PV1")
    poison = "\r".join("|".join(f[:5] + [value] + f[6:]) if (f := seg.split("|"))[0] == "OBX" and "150021" in seg else seg
                       for seg in good.split("\r"))
    assert value in poison
    sender = Sender(listener.address)
    ack = sender.send(poison)
    assert msa(ack) == ("AE", "PV1") and reason in ack_text(ack)
    assert msa(sender.send(oru(session, "PV2"))) == ("AA", "PV2")
    sender.close()
    assert device_rows(session).count() == 1


def test_an_absurdly_long_control_id_gets_ae_and_is_not_kept(world, live):
    session, listener = live
    sender = Sender(listener.address)
    long_id = "C" * 5000
    ack = sender.send(oru(session, long_id))
    assert msa(ack)[0] == "AE" and "MSH-10 is 5000 characters long" in ack_text(ack)
    assert msa(sender.send(oru(session, "C" * 199))) == ("AA", "C" * 199)
    sender.close()
    assert Hl7Message.objects.count() == 1 and Hl7Refusal.objects.get().reason == "poison"


# -- readings timed outside the session: held for a nurse

@pytest.mark.parametrize("minutes_ago", [
    60 * 24 * 2,  # two days before check-in
    int((datetime.now(UTC) - datetime(1990, 1, 1, tzinfo=UTC)).total_seconds() // 60),  # a monitor reset to 1990
    -60,  # an hour in the future
])
def test_a_reading_timed_outside_the_session_is_held_on_it_never_charted(world, live, minutes_ago):
    session, listener = live
    sender = Sender(listener.address)
    ack = sender.send(oru(session, "H1", minutes_ago=minutes_ago))
    assert msa(ack) == ("AE", "H1") and "held for a nurse" in ack_text(ack)
    assert msa(sender.send(oru(session, "H1", minutes_ago=minutes_ago)))[0] == "AE"  # a resend: held once
    sender.close()
    assert not device_rows(session).exists()
    (held,) = held_messages(session)
    assert held.status == Hl7Status.HELD and held.session_id == session.pk and held.raw


def test_a_reading_within_the_clock_tolerance_is_charted(world, live):
    session, listener = live
    update_policy(clinic=world.a, values={"infusion_hl7_clock_skew_min": 30}, by=world.users[Role.CLINIC_ADMIN])
    listener.stop(abort=True)
    world.a.refresh_from_db()
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0).start()
    try:
        sender = Sender(listener.address)
        assert msa(sender.send(oru(session, "SKEW1", minutes_ago=-20))) == ("AA", "SKEW1")
        sender.close()
    finally:
        listener.stop(abort=True)
    assert device_rows(session).count() == 1


def test_a_nurse_accepts_a_held_reading_charted_at_its_arrival(world, live):
    session, listener = live
    sender = Sender(listener.address)
    sender.send(oru(session, "H2", minutes_ago=60 * 24 * 2))
    sender.close()
    (held,) = held_messages(session)
    with pytest.raises(ServiceError):
        accept_held_message(message=held, by=world.users[Role.RESEARCHER])
    accepted = accept_held_message(message=held, by=world.users[Role.NURSE])
    (vital,) = device_rows(session)
    assert accepted.status == Hl7Status.ACCEPTED and vital.measured_at == held.received_at
    assert vital.hl7_message_id == held.pk and not held_messages(session)
    resend = services.file_hl7_message(clinic=world.a, raw=oru(session, "H2", minutes_ago=60 * 24 * 2))
    assert resend.code == "AA" and resend.duplicate


def test_a_nurse_rejects_a_held_reading_and_its_resend_gets_ae(world, live):
    session, listener = live
    sender = Sender(listener.address)
    sender.send(oru(session, "H3", minutes_ago=-120))
    (held,) = held_messages(session)
    rejected = reject_held_message(message=held, reason="monitor clock wrong", by=world.users[Role.NURSE])
    assert rejected.status == Hl7Status.REJECTED
    ack = sender.send(oru(session, "H3", minutes_ago=-120))
    sender.close()
    assert msa(ack)[0] == "AE" and "rejected" in ack_text(ack) and not device_rows(session).exists()


# -- quarantine limits

def test_the_quarantine_keeps_no_more_than_its_size_limit(world, live):
    session, listener = live
    update_policy(clinic=world.a, values={"infusion_hl7_quarantine_max_kb": 64}, by=world.users[Role.CLINIC_ADMIN])
    listener.stop(abort=True)
    world.a.refresh_from_db()
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0).start()
    try:
        sender = Sender(listener.address)
        padding = "NTE|1||" + "x" * (20 * 1024)
        acks = [sender.send(oru(session, f"Q{n}", mrn="NOBODY") + "\r" + padding) for n in range(5)]
        sender.close()
    finally:
        listener.stop(abort=True)
    assert [msa(a)[0] for a in acks] == ["AE"] * 5
    assert Hl7Message.objects.filter(status=Hl7Status.QUARANTINED).count() == 3
    assert "quarantine is full" in ack_text(acks[3]) and "quarantine is full" in ack_text(acks[4])
    assert Hl7Refusal.objects.get(reason="quarantine_full").count == 2


def test_quarantined_messages_older_than_the_age_limit_are_dismissed_and_their_text_deleted(world, live):
    session, listener = live
    services.file_hl7_message(clinic=world.a, raw=oru(session, "OLD1", mrn="NOBODY"),
                              received_at=datetime.now(UTC) - timedelta(days=31))
    assert expire_quarantine(world.a, at=datetime.now(UTC)) == 1
    assert expire_quarantine(world.a, at=datetime.now(UTC)) == 0
    services.file_hl7_message(clinic=world.a, raw=oru(session, "NEW1", mrn="NOBODY"))
    old, new = Hl7Message.objects.get(control_id="OLD1"), Hl7Message.objects.get(control_id="NEW1")
    assert (old.status, old.raw, new.status) == (Hl7Status.DISMISSED, "", Hl7Status.QUARANTINED)
    assert "expired" in old.resolution_note


# -- MLLP over TLS

def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


class TlsSender(Sender):
    def __init__(self, address, ca_file):
        context = ssl.create_default_context(cafile=ca_file)
        raw = socket.create_connection(address, timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        from clinical.hl7 import MllpDecoder

        self.decoder, self.pending = MllpDecoder(), []


def test_mllp_over_tls_round_trip_files_and_acks(world, tmp_path):
    session = infusing(world, t0(2))
    cert, key = _self_signed(tmp_path)
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0, tls=tls_context(cert, key)).start()
    try:
        sender = TlsSender(listener.address, cert)
        assert msa(sender.send(oru(session, "TLS1"))) == ("AA", "TLS1")
        sender.close()
        plain = Sender(listener.address)  # a sender speaking plain MLLP to the TLS port gets nothing filed
        with pytest.raises((ConnectionError, OSError)):
            plain.send(oru(session, "PLAIN1"))
        plain.close()
    finally:
        listener.stop(abort=True)
    assert device_rows(session).count() == 1 and not Hl7Message.objects.filter(control_id="PLAIN1").exists()


def test_a_tls_context_refuses_missing_files(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        tls_context(str(tmp_path / "none.pem"), str(tmp_path / "none.key"))


# -- the session screen: held readings visible, accepted or rejected by a nurse

def test_the_session_screen_shows_held_readings_and_a_nurse_accepts_them(world, client_for):
    from django.test import Client
    from django.urls import reverse

    session = infusing(world, t0(2))
    filing = services.file_hl7_message(clinic=world.a, raw=oru(session, "WEB1", minutes_ago=60 * 24 * 2))
    assert filing.code == "AE" and "held for a nurse" in filing.text
    (held,) = held_messages(session)
    nurse = client_for(Role.NURSE)
    page = nurse.get(reverse("infusions:session", kwargs={"session_id": session.pk})).content.decode()
    assert "Monitor readings held for a nurse" in page and "WEB1" in page
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.post(reverse("interop:held_accept", kwargs={"message_id": held.pk})).status_code == 404
    assert client_for(Role.RESEARCHER).post(reverse("interop:held_accept", kwargs={"message_id": held.pk})).status_code == 403
    assert not device_rows(session).exists()
    answer = nurse.post(reverse("interop:held_accept", kwargs={"message_id": held.pk}))
    assert answer.status_code == 302 and device_rows(session).count() == 1
    page = nurse.get(reverse("infusions:session", kwargs={"session_id": session.pk})).content.decode()
    assert "Monitor readings held for a nurse" not in page


def test_a_nurse_rejects_held_readings_from_the_session_screen_with_a_reason(world, client_for):
    from django.urls import reverse

    session = infusing(world, t0(2))
    services.file_hl7_message(clinic=world.a, raw=oru(session, "WEB2", minutes_ago=-90))
    (held,) = held_messages(session)
    nurse = client_for(Role.NURSE)
    nurse.post(reverse("interop:held_reject", kwargs={"message_id": held.pk}), {"reason": ""})
    assert Hl7Message.objects.get(pk=held.pk).status == Hl7Status.HELD  # a reason is required
    nurse.post(reverse("interop:held_reject", kwargs={"message_id": held.pk}), {"reason": "clock wrong"})
    assert Hl7Message.objects.get(pk=held.pk).status == Hl7Status.REJECTED and not device_rows(session).exists()


# -- the command line

def test_hl7_senders_command_adds_lists_retires_and_shows_refusals(world):
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    def run(*args):
        out = io.StringIO()
        call_command("hl7-senders", "--clinic", world.a.slug, *args, stdout=out)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    (added,) = run("add", "--application", "PHILIPS_MX", "--facility", "ICU", "--addresses", "10.0.4.12")
    assert added == {"application": "PHILIPS_MX", "facility": "ICU", "addresses": "10.0.4.12/32", "active": True,
                     "note": ""}
    assert {"PHILIPS_MX", "KETACARE_SIM"} <= {row["application"] for row in run("list")}
    (retired,) = run("retire", "--application", "PHILIPS_MX", "--facility", "ICU")
    assert retired["active"] is False
    with pytest.raises(CommandError, match="not an IP address"):
        run("add", "--application", "X", "--facility", "Y", "--addresses", "nowhere")
    services.file_hl7_message(clinic=world.a, raw=oru(infusing(world, t0(2)), "R1").replace("KETACARE_SIM", "ROGUE"))
    (refused,) = run("refused")
    assert (refused["application"].split("^")[0], refused["reason"], refused["count"]) == ("ROGUE", "unregistered", 1)


def test_idle_tls_connections_are_closed_before_and_after_the_handshake(world, tmp_path):
    from interop.hl7.limits import Limits

    from .test_hl7_limits import closed_by_listener

    session = infusing(world, t0(2))
    cert, key = _self_signed(tmp_path)
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0, tls=tls_context(cert, key),
                            limits=Limits(idle_timeout_s=0.3)).start()
    try:
        silent = socket.create_connection(listener.address, timeout=10)  # never starts the handshake
        assert closed_by_listener(silent)
        silent.close()
        sender = TlsSender(listener.address, cert)
        assert msa(sender.send(oru(session, "TLSIDLE1"))) == ("AA", "TLSIDLE1")
        with pytest.raises((ConnectionError, OSError)):  # then silent past the idle timeout: closed
            import time

            time.sleep(0.8)
            sender.send(oru(session, "TLSIDLE2"))
        sender.close()
    finally:
        listener.stop(abort=True)
    assert device_rows(session).count() == 1
