"""The command line: help texts, bad input, bad options, read-only queries."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import pipeline
from conftest import run_cli


def _commands() -> list[str]:
    return sorted(pipeline.cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(pipeline.cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: pledgewatch " + name in result.output


def test_the_documented_commands_exist():
    assert {"nightly", "crawl", "extract", "ingest", "flags", "query", "eval", "parse", "schema"} <= set(
        _commands()
    )


def test_readme_lists_every_command():
    readme = (pipeline.Path(pipeline.__file__).parent / "README.md").read_text(encoding="utf-8")
    for name in _commands():
        assert f"pledgewatch {name}" in readme, f"README does not show `pledgewatch {name}`"


def test_unknown_model_is_one_line_saying_what_to_install(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("Headline\nBody.\n", encoding="utf-8")
    result = run_cli("--model", "no_such_model_pkg", "extract", str(good))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: no spaCy English model found")
    assert "pip install" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_is_a_usage_error_not_a_traceback():
    result = CliRunner().invoke(pipeline.cli, ["nightly", "--max-articles", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_query_on_a_missing_warehouse_says_what_to_do(tmp_path):
    result = CliRunner().invoke(pipeline.cli, ["query", "open_flags", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse here yet" in result.output


def test_query_sql_is_read_only(tmp_path):
    from warehouse.db import connect

    db = tmp_path / "w.duckdb"
    connect(db).close()
    result = CliRunner().invoke(pipeline.cli, ["query", "--db", str(db), "--sql", "drop table claims"])
    assert result.exit_code == 1
    assert "read-only" in result.output.lower()
    ok = CliRunner().invoke(pipeline.cli, ["query", "--db", str(db), "--sql", "select count(*) as n from claims",
                                           "--format", "json"])  # fmt: skip
    assert json.loads(ok.output) == [{"n": 0}]
    # nor can it write or read other files
    outside = tmp_path / "out.csv"
    copy = CliRunner().invoke(pipeline.cli, ["query", "--db", str(db), "--sql", f"copy (select 1) to '{outside}'"])
    assert copy.exit_code == 1 and not outside.exists()
    (tmp_path / "secret.txt").write_text("x")
    read = CliRunner().invoke(
        pipeline.cli, ["query", "--db", str(db), "--sql", f"select * from read_text('{tmp_path / 'secret.txt'}')"]
    )
    assert read.exit_code == 1 and "disabled" in read.output


def test_query_injection_through_a_parameter_is_inert(tmp_path):
    from warehouse.db import connect

    db = tmp_path / "w.duckdb"
    connect(db).close()
    result = CliRunner().invoke(
        pipeline.cli,
        ["query", "us_vs_partner", "--db", str(db), "--param", "pledger=x' or 1=1; drop table claims; --"],
    )
    assert result.exit_code == 0, result.output
    assert "(0 rows)" in result.output
    check = CliRunner().invoke(
        pipeline.cli, ["query", "--db", str(db), "--sql", "select count(*) from claims"]
    )
    assert check.exit_code == 0


def test_query_param_must_be_key_value(tmp_path):
    result = CliRunner().invoke(pipeline.cli, ["query", "open_flags", "--param", "oops"])
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.output


def test_query_list_names_each_query():
    result = CliRunner().invoke(pipeline.cli, ["query", "--list"])
    assert "us_vs_partner" in result.output and "open_flags" in result.output


def test_schema_prints_documented_tables():
    result = CliRunner().invoke(pipeline.cli, ["schema"])
    assert result.exit_code == 0
    assert "claims: One row per claim mention" in result.output
    assert "flags: One row per contradiction" in result.output
    assert "view flag_candidates:" in result.output


def test_extract_skips_bad_files_with_one_line_each_and_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Japan pledges $550 billion for US projects\nJapan will invest $550 billion in the United States, "
                    "Prime Minister Shigeru Ishiba said on Wednesday.\n", encoding="utf-8")  # fmt: skip
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    (tmp_path / "latin1.txt").write_bytes("Pr\u00e9sident headline\nbody".encode("latin-1"))
    result = run_cli("extract", str(tmp_path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 3
    for name, reason in (
        ("empty.txt", "empty file"),
        ("binary.txt", "binary file"),
        ("latin1.txt", "not UTF-8"),
    ):
        assert any(name in line and reason in line for line in skipped), (name, skipped)
    claims = [json.loads(line) for line in result.stdout.splitlines()]
    assert claims and {c["doc"] for c in claims} == {"good"}
    text = good.read_text(encoding="utf-8")
    for claim in claims:
        assert text[claim["start"] : claim["end"]] == claim["sentence"]


def test_extract_fails_only_when_nothing_could_be_read(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run_cli("extract", str(tmp_path / "empty.txt"))
    assert result.returncode == 1
    assert "empty.txt: empty file" in result.stderr
    assert "Error: no file could be read" in result.stderr


def test_python_pipeline_py_runs_the_same_cli():
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run(
        [sys.executable, str(ROOT / "pipeline.py"), "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "nightly" in result.stdout
