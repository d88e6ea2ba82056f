"""The research export (Safe Harbor) and the report from the database equal to the report from its export."""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import redirect_stderr
from datetime import date

import pytest
from django.core.management import call_command

from clinical.outcomes_report import ReportDefinitions
from outcomes.report import from_database, from_exports
from outcomes.rows import age_band, pseudonym
from outcomes.tables import TABLES, columns

pytestmark = pytest.mark.django_db

ISSUE_COLUMNS = {
    "courses": "course, clinic, status, age_band, sex, start_year, infusions_planned, infusions_given, last_infusion_day",
    "assessments": "course, clinic, instrument, point, day, total, b, c, d, e",
    "infusions": "course, clinic, n, day, baseline_sbp, baseline_dbp, peak_sbp, peak_dbp, paused, stopped_early, "
                 "transferred, ae_count, ae_serious, peak_cadss",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from ketacare.testing import demo_rolled_back

    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        yield ctx


@pytest.mark.parametrize(("born", "on", "band"), [
    (date(1990, 6, 1), date(2026, 5, 31), "30-39"), (date(1990, 6, 1), date(2026, 6, 1), "30-39"),
    (date(1936, 1, 1), date(2026, 1, 1), "90+"), (date(1936, 1, 2), date(2026, 1, 1), "80-89"),
])
def test_age_bands_group_ages_over_89_as_90_plus(born, on, band):
    assert age_band(born, on) == band


def test_pseudonyms_are_keyed_stable_and_do_not_show_the_id(settings):
    assert pseudonym("course", 12) == pseudonym("course", 12) != pseudonym("course", 13)
    assert pseudonym("course", 12) != pseudonym("clinic", 12)
    assert all(str(n) not in pseudonym("course", n)[2:] for n in (345, 6789))
    before = pseudonym("course", 12)
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    assert pseudonym("course", 12) != before  # keyed by the installation's secret


def export(tmp_path, fmt="csv", *extra):
    out = tmp_path / f"export-{fmt}"
    call_command("export", "research", "--out", str(out), "--format", fmt, *extra, stdout=io.StringIO())
    return out


def test_export_writes_exactly_the_issue_columns_first(demo, tmp_path):
    out = export(tmp_path)
    for table in TABLES:
        with (out / f"{table}.csv").open() as handle:
            header = next(csv.reader(handle))
        wanted = ISSUE_COLUMNS[table].split(", ")
        assert header[:len(wanted)] == wanted and tuple(header) == columns(table)
    with (out / "courses.csv").open() as handle:
        courses = list(csv.DictReader(handle))
    assert courses and {c["status"] for c in courses} <= {"active", "completed", "stopped"}
    with (out / "assessments.csv").open() as handle:
        points = {r["point"] for r in csv.DictReader(handle)}
    assert {"baseline", "end_of_course"} <= points


def test_export_leaks_no_identifier(demo, tmp_path):
    from patients.models import Patient

    out = export(tmp_path)
    body = "\n".join((out / f"{t}.csv").read_text() for t in TABLES)
    patients = list(Patient.objects.all())
    assert patients
    for p in patients:
        for value in (p.mrn, p.given_name, p.family_name, p.email, p.phone, p.escort_name, p.escort_phone):
            if value:
                assert value not in body, value
        assert p.date_of_birth.isoformat() not in body
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|@|\+\d{6,}", body)
    assert not any(str(c.pk) == cell for c in demo.clinic.__class__.objects.all()
                   for line in body.splitlines()[1:] for cell in line.split(",")[:2])


def test_export_is_audited(demo, tmp_path):
    from audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="research_export").count()
    export(tmp_path)
    event = AuditEvent.objects.filter(action="research_export").latest("seq")
    assert AuditEvent.objects.filter(action="research_export").count() == before + 1
    assert event.detail["courses"] > 0 and event.actor_label == "ketacare export research"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_report_from_the_database_equals_the_report_from_its_own_export(demo, tmp_path, fmt):
    out = export(tmp_path, fmt)
    defs = ReportDefinitions()
    from_db = from_database([demo.clinic], defs)
    assert from_db == from_exports([out], defs)
    assert from_db["courses"]["started"] > 0 and from_db["safety"]["infusions"] > 0


def test_report_command_prints_the_issue_keys(demo, capsys):
    call_command("report", "outcomes", "--json", "--clinic", demo.clinic.slug)
    report = json.loads(capsys.readouterr().out)
    assert {"definitions", "courses", "response_end_of_course", "remission_end_of_course", "change_end_of_course",
            "clusters_end_of_course", "durability", "time_to_first_response", "safety",
            "followup_completeness"} <= report.keys()
    assert set(report["courses"]) >= {"started", "active", "completed", "stopped"}
    for key in ("response_end_of_course", "remission_end_of_course"):
        for group in ("itt", "completers"):
            assert {"k", "n", "rate", "ci95"} <= report[key][group].keys()
    assert set(report["clusters_end_of_course"]) == {"B", "C", "D", "E"}
    for key in ("durability", "time_to_first_response"):
        assert {"n", "events", "median_days", "ci95", "survival_at"} <= report[key].keys()
        assert set(report[key]["survival_at"]) == {"28", "56", "84"}
    assert {"infusions", "bp_surge_per_100", "ae_per_100", "serious_ae_per_100", "stopped_early_per_100",
            "transferred_per_100", "paused_per_100", "mean_peak_cadss"} <= report["safety"].keys()
    assert set(report["followup_completeness"]) == {"follow_1w", "follow_1m", "follow_3m"}


def test_report_options_change_the_definitions_and_bad_values_are_refused(demo, capsys):
    call_command("report", "outcomes", "--json", "--response-pct", "50", "--response-points", "none",
                 "--remission-cutpoint", "31")
    defs = json.loads(capsys.readouterr().out)["definitions"]
    assert (defs["response_pct"], defs["response_points"], defs["remission_cutpoint"]) == (50, None, 31)
    for bad in (["--response-pct", "0"], ["--remission-cutpoint", "45"], ["--response-points", "many"],
                ["--from", "/nonexistent/export"]):
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_info, redirect_stderr(err):
            call_command("report", "outcomes", "--json", *bad, stderr=err)
        assert exit_info.value.code == 2 and "ketacare report outcomes:" in err.getvalue()
