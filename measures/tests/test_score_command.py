"""`ketacare score`: the exact JSON of issue 3 for each instrument, exit 2 on invalid input.

Worked examples from docs/instruments.md (rules of CLINICAL.md s4); all data synthetic.
"""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PCL5_EXAMPLE = "1,1,1,1,1,1,1,2,1,1,1,1,1,1,0,1,1,1,1,1"
PCL5_JSON = ('{"instrument": "pcl5", "complete": true, "total": 20, "total_mean": 1.0, '
             '"subscales": {"B": 5, "C": 2, "D": 8, "E": 5}, "band": null, "flags": [], '
             '"provisional_diagnosis": {"dsm_rule": false, "cutpoint": false}}')


def score(*args: str) -> dict:
    out = StringIO()
    call_command("score", *args, stdout=out)
    return json.loads(out.getvalue())


def test_pcl5_example_prints_exactly_the_issue_json():
    out = StringIO()
    call_command("score", "pcl5", PCL5_EXAMPLE, stdout=out)
    assert out.getvalue().strip() == PCL5_JSON


def test_the_installed_command_prints_the_json_and_exits_0():
    run = subprocess.run([str(ROOT / ".venv/bin/ketacare"), "score", "pcl5", PCL5_EXAMPLE],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == PCL5_JSON
    assert run.stderr == ""


def test_the_installed_command_exits_2_with_a_message_on_stderr():
    run = subprocess.run([str(ROOT / ".venv/bin/ketacare"), "score", "pcl5", "1,2,3"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "expected 20 answers, got 3" in run.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # PHQ-9: mild band edge 5-9; item 9 > 0 flags whatever the total (CLINICAL.md s4).
        (("phq9", "1,1,1,1,1,1,1,1,1"), {"total": 9, "band": "mild", "flags": ["suicide_risk"], "subscales": {}}),
        (("phq9", "3,3,3,3,3,3,2,0,0,3"), {"total": 20, "band": "severe", "flags": []}),  # item 10 never summed
        (("phq9", "1,1,1,1,0,0,0,0,0"), {"total": 4, "band": "minimal"}),
        (("gad7", "3,3,3,3,3,0,0"), {"total": 15, "band": "severe", "total_mean": 15 / 7}),
        (("gad7", "2,2,2,2,1,1,0"), {"total": 10, "band": "moderate"}),
        (("madrs", "6,6,6,6,6,5,0,0,0,0"), {"total": 35, "band": "severe"}),
        (("madrs", "1,1,1,1,1,1,0,0,0,0"), {"total": 6, "band": "normal"}),
        (("iesr", ",".join(["4"] * 22)),
         {"total": 88, "subscales": {"intrusion": 4.0, "avoidance": 4.0, "hyperarousal": 4.0}, "band": None}),
        (("cadss", ",".join(["4"] * 23)), {"total": 92, "band": None, "subscales": {}}),
    ],
)
def test_totals_bands_and_flags(args, expected):
    result = score(*args)
    assert result["instrument"] == args[0] and result["complete"] is True
    for key, value in expected.items():
        assert result[key] == value, key


def test_pcl5_cutpoint_is_inclusive_and_set_by_option():
    items = "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,0,0,0,0"  # total 31
    assert score("pcl5", items)["provisional_diagnosis"]["cutpoint"] is False
    # One E symptom only: the DSM rule fails while the cut-point is met; never merged.
    assert score("pcl5", items, "--cutpoint", "31")["provisional_diagnosis"] == {"dsm_rule": False, "cutpoint": True}


def test_missing_items_give_no_total_and_the_mean_of_answered_items():
    result = score("pcl5", "4,4,4,4,4,,4,4,4,4,4,4,4,4,4,4,4,4,4,4")
    assert (result["complete"], result["total"], result["total_mean"]) == (False, None, 4.0)
    assert result["subscales"]["C"] is None and result["subscales"]["B"] == 20
    assert result["provisional_diagnosis"] == {"dsm_rule": True, "cutpoint": True}


@pytest.mark.parametrize(
    ("items", "level", "flags"),
    [
        ("0,0,,,,0,", "none", []),
        ("1,0,,,,0,", "low", []),
        ("1,1,1,0,0,0,", "moderate", ["suicide_risk"]),
        ("0,0,,,,1,0", "moderate", ["suicide_risk"]),
        ("0,1,0,1,0,0,", "high", ["suicide_risk"]),
        ("0,0,,,,1,1", "high", ["suicide_risk"]),
    ],
)
def test_cssrs_risk_level_and_flag(items, level, flags):
    result = score("cssrs", items)
    assert (result["risk_level"], result["flags"], result["total"]) == (level, flags, None)


def test_caps5_diagnosis_needs_the_cluster_rule_and_f_and_g():
    met = "2,0,0,0,0,2,0,2,2,0,0,0,0,0,2,2,0,0,0,0"
    assert score("caps5", met + ",1,1")["diagnosis"] is True
    assert score("caps5", met + ",1,0")["diagnosis"] is False
    result = score("caps5", met + ",1,1")
    assert result["subscales"] == {"B": 2, "C": 2, "D": 4, "E": 4} and result["total"] == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pcl5", "1,2,3"), "expected 20 answers, got 3"),
        (("pcl5", PCL5_EXAMPLE.replace("2", "5", 1)), "must be between 0 and 4, got 5"),
        (("phq9", "1,1,1,1,1,1,1,1,4"), "must be between 0 and 3, got 4"),
        (("cssrs", "0,0,1,,,0,"), "must be blank"),
        (("gad7", "1,1,a,1,1,1,1"), "must be a whole number or empty"),
        (("bdi", "1"), "Unknown instrument 'bdi'"),
        (("pcl5", PCL5_EXAMPLE, "--cutpoint", "30"), "cut-point must be a whole number from 31 to 33"),
        (("phq9", " "), "No answers given"),
    ],
)
def test_invalid_input_exits_2_with_a_clear_message(args, message, capsys):
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("score", *args, stderr=err, stdout=StringIO())
    assert exit_info.value.code == 2
    assert message in err.getvalue()


def test_it_needs_no_database():
    code = ("import os, sys; os.environ['DATABASE_URL'] = 'postgres://nobody@127.0.0.1:1/none';"
            "from ketacare.cli import main; main(['score', 'gad7', '0,0,0,0,0,0,0'])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["band"] == "minimal"
