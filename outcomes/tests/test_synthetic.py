"""`ketacare demo --network N`: a synthetic network export the engine reads back."""

import io
import json

import pytest
from django.core.management import call_command

from outcomes.tables import TABLES, columns


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_demo_network_writes_an_export_the_report_reads(tmp_path, capsys, fmt):
    out = tmp_path / "net"
    stdout = io.StringIO()
    call_command("demo", "--network", "300", "--out", str(out), "--format", fmt, stdout=stdout)
    assert "300/300 patients" in capsys.readouterr().out + stdout.getvalue()
    for table in TABLES:
        assert (out / f"{table}.{fmt}").is_file()
    if fmt == "csv":
        assert (out / "assessments.csv").read_text().splitlines()[0] == ",".join(columns("assessments"))
    call_command("report", "outcomes", "--from", str(out), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["courses"]["started"] == 300
    assert 0.3 < report["response_end_of_course"]["itt"]["rate"] < 0.9
    assert report["durability"]["events"] > 0 and report["safety"]["infusions"] > 1000
    assert report["change_end_of_course"]["mean"] < 0 and "phq9" in report["secondary"]


def test_demo_network_refuses_a_count_below_one(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("demo", "--network", "0", "--out", str(tmp_path / "x"), stderr=err)
    assert exit_info.value.code == 2 and "at least 1" in err.getvalue()
