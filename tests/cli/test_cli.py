"""The integrity-archive command line, run as a user runs it (a child process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, write_hostile_files


def run(args, data_dir, stdin=None, check=True):
    env = dict(os.environ, ARCHIVE_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, check=check, timeout=600)


def test_segment_prints_words_in_original_characters(tmp_path):
    lines = "臺北市政府評選委員會會議紀錄\n得標廠商：ＡＢＣ公司\n\nEnglish text, too.\n"
    out = run(["segment"], tmp_path, stdin=lines).stdout.split("\n")
    assert out[0] == "臺北市政府 評選委員會 會議紀錄"
    assert out[1].split(" ")[:3] == ["得標廠商", "：", "ＡＢＣ"]
    assert out[2] == ""
    assert out[3] == "English text , too ."
    assert len(out) == 5 and out[4] == ""


@pytest.mark.slow
def test_ingest_failures_and_search_from_the_command_line(tmp_path, sample_corpus):
    folder = tmp_path / "in"
    shutil.copytree(next(sample_corpus.iterdir()), folder)
    hostile = write_hostile_files(folder)
    data = tmp_path / "var"
    out = run(["ingest", str(folder)], data).stdout
    assert "indexed 9, skipped 0 unchanged, failed 4, removed 0" in out
    failures = run(["failures"], data).stdout.strip().splitlines()
    assert len(failures) == 4
    for name, kind in hostile.items():
        line = next(line for line in failures if f"/{name}\t" in line)
        assert f"[{kind}]" in line
    as_json = json.loads(run(["failures", "--json"], data).stdout)
    assert {f["file"]: f["kind"] for f in as_json} == hostile
    hits = json.loads(run(["search", "廠商", "--json"], data).stdout)
    assert hits["total"] > 0 and hits["hits"][0]["highlights"]
    again = run(["ingest", str(folder)], data).stdout
    assert "indexed 0, skipped 13 unchanged, failed 0, removed 0" in again


def test_sample_corpus_writes_forty_plus_documents(tmp_path):
    out = run(["sample-corpus", str(tmp_path / "corpus")], tmp_path).stdout
    files = [p for p in (tmp_path / "corpus").rglob("*") if p.is_file()]
    assert len(files) >= 40 and f"wrote {len(files)} documents" in out
    suffixes = {p.suffix for p in files}
    assert suffixes == {".pdf", ".docx", ".odt", ".html"}


@pytest.mark.slow
def test_sample_site_plants_two_crawls_once(tmp_path):
    """`make run`'s step: the sample agency site crawled twice into the data dir and ingested
    through the flow; the crawl store keeps both versions and the removals; a second run leaves
    the history alone."""
    data = tmp_path / "var"
    out = run(["sample-site"], data).stdout
    assert "twice into" in out and "12 attachments, then 2 changed and 2 removed" in out
    assert "indexed 12, skipped 0 unchanged, failed 0, removed 0" in out
    assert "indexed 2, skipped 8 unchanged, failed 0, removed 2" in out
    versions = json.loads(run(["versions", "sample-agency-site", "--json"], data).stdout)
    states = sorted(v["state"] for v in versions)
    assert states == ["current"] * 10 + ["removed"] * 2 + ["superseded"] * 2
    assert "already" in run(["sample-site"], data).stdout
    hits = json.loads(run(["search", "case:113S501-01", "--json"], data).stdout)
    assert hits["total"] == 3


def test_failures_before_any_ingest(tmp_path):
    assert "no ingest has run yet" in run(["failures"], tmp_path / "var").stdout


def test_ingest_of_a_missing_folder_is_a_clear_error(tmp_path):
    result = run(["ingest", str(tmp_path / "nope")], tmp_path / "var", check=False)
    assert result.returncode == 2 and "is not a folder" in result.stderr
