"""The docs stay true: every ```python block in docs/*.md runs as written, and
docs/api-coverage.md is what docs/gen_coverage.py generates from the code and the tests."""

import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
NEEDS = {"onnx.md": ("onnx", "onnxruntime"), "tutorial.md": ("onnx", "onnxruntime")}


def blocks(page: str) -> list[str]:
    return BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))


def test_pages_exist():
    for page in ("README.md", "getting-started.md", "tutorial.md",
                 "differences-from-pytorch.md", "api-coverage.md", "onnx.md"):
        assert (DOCS / page).is_file(), page
    assert sum(len(blocks(p)) for p in PAGES) >= 20


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)])
def test_code_blocks_run(page, tmp_path, monkeypatch):
    """The blocks of one page run in order in one namespace (as a reader would paste them),
    in a scratch directory (they may write files)."""
    for mod in NEEDS.get(page, ()):
        pytest.importorskip(mod)
    monkeypatch.chdir(tmp_path)
    ns: dict = {"__name__": f"docs_{page[:-3].replace('-', '_')}"}
    for i, code in enumerate(blocks(page), 1):
        try:
            exec(compile(code, f"docs/{page} block {i}", "exec"), ns)
        except Exception as e:
            raise AssertionError(f"docs/{page}: python block {i} failed:\n{code}") from e


def test_links_resolve():
    for page in PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (DOCS / target).exists(), f"docs/{page} links to missing {target}"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_coverage", DOCS / "gen_coverage.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_api_coverage_is_current(capsys):
    gen = _gen()
    expected = gen.generate()
    current = (DOCS / "api-coverage.md").read_text(encoding="utf-8")
    assert current == expected, "docs/api-coverage.md is out of date: run " \
                                "`python docs/gen_coverage.py`"
    assert "| `Linear` | yes |" in current and "## `ember.Tensor`" in current
    assert gen.main(["--check"]) == 0   # the CLI the lead runs agrees
    assert "up to date" in capsys.readouterr().out
