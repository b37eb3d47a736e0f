import io
import json

import pytest
from django.core.management import CommandError, call_command

from risks.models import SubRisk
from tests.exports.conftest import open_workbook, sheet_values

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_register_writes_a_file_named_by_reference_and_date(
    register_2017, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)

    _, err = run("export_register", "SRR-2017", "--format", "xlsx")

    [written] = list(tmp_path.iterdir())
    assert written.name.startswith("SRR-2017-") and written.suffix == ".xlsx"
    assert f"Wrote {written.name}" in err
    assert len(sheet_values(open_workbook(written.read_bytes())["Register"])) == 14


def test_export_register_honours_filters(register_2017, tmp_path):
    target = tmp_path / "high.csv"

    run(
        "export_register",
        "SRR-2017",
        "--format",
        "csv",
        "--rating",
        "High",
        "--output",
        str(target),
    )

    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines] == ["Reference", "SRR-2017/8.a"]


def test_export_register_to_standard_output(register_2017):
    out, _ = run("export_register", "SRR-2017", "--format", "json", "--output", "-")

    assert json.loads(out)["register"]["reference"] == "SRR-2017"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE"], "There is no live register 'NOPE'."),
        (["SRR-2017", "--rating", "Severe"], "--rating: Unknown rating 'Severe'."),
        (["SRR-2017", "--area", "99"], "--area: Unknown risk area '99'."),
    ],
)
def test_export_register_refuses_bad_input(register_2017, args, message):
    with pytest.raises(CommandError, match=message):
        run("export_register", *args)


def test_import_register_runs_dry_by_default(register_2017, tmp_path):
    target = tmp_path / "srr.json"
    run("export_register", "SRR-2017", "--format", "json", "--output", str(target))
    document = json.loads(target.read_text())
    document["areas"][0]["subrisks"][0]["impact"] = "High"
    target.write_text(json.dumps(document))

    out, _ = run("import_register", str(target), "--register", "SRR-2017")

    assert out.splitlines() == [
        "would be changed: sub-risk SRR-2017/1.a",
        "    Settlement impact: Very Low -> High",
        "    Rating: Low -> Very High",
        "Dry run, nothing written. SRR-2017: 0 created, 1 changed, 0 restored, 0 "
        "archived, 276 unchanged. Use --apply to write.",
    ]
    assert SubRisk.objects.get(reference="SRR-2017/1.a").impact.value == 1


def test_import_register_applies_as_the_named_user(register_2017, editor, tmp_path):
    target = tmp_path / "srr.xlsx"
    run("export_register", "SRR-2017", "--output", str(target))

    with pytest.raises(CommandError, match="--apply needs --user"):
        run("import_register", str(target), "--register", "SRR-2017", "--apply")
    SubRisk.objects.filter(reference="SRR-2017/1.a").update(statement="Edited here")
    out, _ = run(
        "import_register",
        str(target),
        "--register",
        "SRR-2017",
        "--apply",
        "--user",
        "editor",
    )

    subrisk = SubRisk.objects.get(reference="SRR-2017/1.a")
    assert subrisk.statement.startswith("The risk that the mass roll-out")
    assert subrisk.history.first().history_user == editor
    assert "Applied. SRR-2017: 0 created, 1 changed" in out


def test_import_register_lists_every_problem_and_writes_nothing(
    register_2017, tmp_path
):
    target = tmp_path / "bad.json"
    target.write_text('{"format": "something else"}')

    with pytest.raises(CommandError) as raised:
        run("import_register", str(target))

    assert str(raised.value) == (
        "The file cannot be imported; nothing was changed:\n"
        "  format: expected format 'smart-risk-register' version 1"
    )
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_register", str(tmp_path / "missing.json"))
