"""README stays true to the code: set-up commands, CLI commands, API routes."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_exactly_two_setup_commands():
    section = README.split("## Set-up", 1)[1].split("##", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    assert block.strip().splitlines() == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_documented():
    from cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"integrity-archive {name}" in README, name


def test_every_api_route_is_documented():
    from search_api.access import ACCESS_RULES
    from search_api.app import create_app

    paths = create_app().openapi()["paths"]
    routes = {(m.upper(), p) for p, ops in paths.items() if p.startswith("/api/") for m in ops}
    assert len(routes) >= 8
    for method, path in routes:
        assert f"`{method} {path}" in README, (method, path)
    # the README's access table is the code's
    for (method, path), role in ACCESS_RULES.items():
        assert f"| `{method} {path}` | {role} |" in README, (method, path, role)
