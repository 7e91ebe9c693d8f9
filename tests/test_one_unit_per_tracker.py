"""One tracker, one unit: nothing outside a tracker's own module knows its id.

Per-system differences are attributes or methods of the system (``webapp/trackers/<id>.py``);
a branch such as ``if system.id == "jira"`` anywhere else (Python, templates, JavaScript)
fails here by file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.trackers.registry import builtin_systems

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("webapp", "templates", "static")
SUFFIXES = {".py", ".html", ".js"}
#: Comparing a system id with a literal, in Python, Jinja or JavaScript.
ID_BRANCH = re.compile(r"""(system(_id|\.id|Id)|\.system)\s*(==|!=|===|!==|\bin\b)\s*['"(\[]""")


def source_files():
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and "vendor" not in path.parts:
                yield path


@pytest.mark.parametrize("system", builtin_systems(), ids=lambda system: system.id)
def test_only_the_trackers_own_module_names_its_id(system):
    own = ROOT / "webapp" / "trackers" / f"{system.id}.py"
    literal = re.compile(rf"""['"]{re.escape(system.id)}['"]""")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        if path != own
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert found == [], "per-system behaviour belongs on the system, in " + str(own)


def test_nothing_branches_on_a_system_id():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ID_BRANCH.search(line)
    ]
    assert found == []
