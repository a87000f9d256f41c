"""The README teaches what the code does: every CLI option, and the set-up commands CI runs."""
from __future__ import annotations

import re

import click
import pytest

from cli import main
from conftest import ROOT

README = (ROOT / "README.md").read_text()


def every_option():
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    if opt.startswith("--") and opt != "--help":
                        yield pytest.param(opt, id=f"{name} {opt}")


@pytest.mark.parametrize("option", list(every_option()))
def test_every_cli_option_is_in_the_readme(option):
    assert re.search(rf"`{re.escape(option)}[ `]", README), f"{option} is not documented in README.md"


def test_readme_opens_with_the_install_and_test_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert "corpus-search" in first_block[0] and "pip install" in first_block[0]
    assert first_block[1] == ".venv/bin/python -m pytest"
    assert first_block[1] in (ROOT / ".ci" / "run").read_text()
