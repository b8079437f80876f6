"""Executes docs/tour/*.md so the guided tour cannot rot: every ```python block of a page runs, in
order, in one namespace per page that starts with `ftpspec` and `server` (a running
ReferenceServer over an empty temporary directory, user "user" / "pass"), as each page says."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import ftpspec

TOUR = Path(__file__).resolve().parent.parent / "docs" / "tour"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGES = sorted(TOUR.glob("[0-9][0-9]-*.md"))


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """The page's ```python blocks as (first line number, code)."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, textwrap.dedent(m.group(1))) for m in PYTHON_BLOCK.finditer(text)]


def test_the_tour_has_its_pages():
    assert len(PAGES) >= 6, PAGES
    index = (TOUR / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"({page.name})" in index, f"{page.name} is not linked from docs/tour/README.md"
        assert "`server` is a running `ftpspec.ReferenceServer`" in page.read_text(encoding="utf-8")


@pytest.mark.timeout(120) if hasattr(pytest.mark, "timeout") else (lambda f: f)
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_tour_page_runs(page: Path, tmp_path, capsys):
    blocks = python_blocks(page)
    assert blocks, f"{page.name} has no python block"
    root = tmp_path / "served"
    root.mkdir()
    with ftpspec.ReferenceServer(root, users={"user": "pass"}) as server:
        namespace = {"ftpspec": ftpspec, "server": server, "__name__": f"tour_{page.stem}"}
        for line, code in blocks:
            # Compiled under the page's name and line, so a traceback points into the Markdown.
            padded = "\n" * (line - 1) + code
            exec(compile(padded, str(page), "exec"), namespace)  # noqa: S102 - our own docs
    printed = capsys.readouterr().out
    assert printed.strip(), "each page shows something"
