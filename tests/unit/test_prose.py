"""The prose layer: family explanation templates (`analyses/families/**/*.md`), rendered with
Jinja2 in strict mode and reflowed into markdown paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from borrowlens.analyses.explain import prose
from borrowlens.analyses.families.registry import all_families

TEMPLATES = sorted(prose.root().rglob("*.md"))
_TAG = re.compile(r"\{%-?\s*(\w+).*?-?%\}")


def test_reflow_joins_paragraph_lines_and_keeps_lists_and_code() -> None:
    text = ("One line\nwrapped here.\n\n- item one\n  goes on\n- item two\n\n"
            "```rust\nlet x = 1;\n\nlet y = 2;\n```\n\nLast\n  paragraph.")
    assert prose.reflow(text) == ("One line wrapped here.\n\n- item one goes on\n- item two\n\n"
                                  "```rust\nlet x = 1;\n\nlet y = 2;\n```\n\nLast paragraph.")


def test_sections_are_checked() -> None:
    with pytest.raises(prose.ProseError, match="missing"):
        prose.sections("## tldr\nx\n## what\ny\n", "t.md")
    with pytest.raises(prose.ProseError, match="unknown"):
        prose.sections("## tldr\nx\n## whatever\ny\n", "t.md")
    with pytest.raises(prose.ProseError, match="before the first"):
        prose.sections("stray\n## tldr\nx\n", "t.md")
    with pytest.raises(prose.ProseError, match="not a link"):
        prose.links("- see the book", "t.md")


def test_an_unfilled_slot_is_an_error() -> None:
    template = prose.environment().from_string("## tldr\n{{ name }} moved\n")
    with pytest.raises(jinja2.UndefinedError):
        template.render()


def test_filters() -> None:
    assert prose.a_type("Rc<u8>") == "an `Rc<u8>`"
    assert prose.a_type("RwLock<u8>") == "an `RwLock<u8>`"
    assert prose.a_type("MutexGuard<'_, u8>") == "a `MutexGuard<'_, u8>`"
    assert prose.cap("the `x`") == "The `x`"


@pytest.mark.parametrize(("written", "depth", "shown"), [
    ("Rc<RefCell<HashMap<String, Vec<u8>>>>", 1, "Rc<RefCell<…>>"),
    ("Rc<RefCell<HashMap<String, Vec<u8>>>>", 2, "Rc<RefCell<HashMap<…>>>"),
    ("Rc<RefCell<HashMap<String, Vec<u8>>>>", 0, "Rc<…>"),
    ("impl Future<Output = Result<(), Error>>", 1, "impl Future"),
    ("impl for<'a> Future<Output = u16>", 1, "impl Future"),
    ("Pin<Box<dyn Future<Output = ()> + Send>>", 2, "Pin<Box<dyn Future + Send>>"),
    ("{async block@src/x.rs:3:5}", 1, "async block"),
    ("Arc<std::sync::mpsc::Receiver<u64>>", 1, "Arc<Receiver<u64>>"),
    ("A<B<C<u8>>, D<u8>>", 1, "A<B<…>, D<u8>>"),
    ("tokio::time::Timeout<impl Future<Output = ()>>", 1, "Timeout<impl Future>"),
    ("{async fn body of load()}", 1, "impl Future"),
    ("{closure@src/main.rs:20:36: 20:43}", 1, "closure"),
    ("std::rc::Weak<Registry>", 1, "Weak<Registry>"),
    ("Result<u32, Box<dyn std::error::Error>>", 1, "Result<u32, Box<dyn Error>>"),
    ("(dyn Notifier + 'static)", 1, "dyn Notifier"),
    ("std::sync::MutexGuard<'_, HashMap<u32, Vec<u8>>>", 1, "MutexGuard<'_, HashMap<…>>"),
    ("*mut u8", 1, "*mut u8"),
    ("&Cell<u32>", 1, "&Cell<u32>"),
    ("Map<Filter<std::slice::Iter<'_, Session>, {closure@src/lib.rs:18:37: 18:40}>, "
     "{closure@src/lib.rs:18:54: 18:57}>", 1, "Map<Filter<…>, closure>"),
    ("std::sync::Arc<std::sync::Mutex<T>>", 2, "Arc<Mutex<T>>"),
    ("impl Iterator<Item = &'t str>", 1, "impl Iterator<Item = &'t str>"),
    ("Box<dyn Fn(&str) -> Vec<u8> + Send>", 2, "Box<dyn Fn(&str) -> Vec<u8> + Send>"),
    ("fn(&'a str) -> &'a str", 1, "fn(&'a str) -> &'a str"),
])
def test_short_type_shortens_like_inlay_hints(written: str, depth: int, shown: str) -> None:
    assert prose.short_type(written, depth) == shown
    template = prose.environment().from_string("{{ t | short_type }}")
    assert template.render(t=written) == prose.short_type(written)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(prose.root())))
def test_block_tags_stand_alone_or_inside_a_line(path: Path) -> None:
    """A block tag that ends a line of text takes the line break with it (trim_blocks), which
    would glue two words together once the paragraph is reflowed."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        stripped = line.strip()
        tags = list(_TAG.finditer(stripped))
        if not tags or (len(tags) == 1 and tags[0].group(0) == stripped):
            continue
        assert not stripped.endswith("%}"), f"{path}:{number}: a block tag ends a line of text"


def test_every_prose_file_belongs_to_a_family_or_is_shared() -> None:
    modules = {prose.template_name(type(f).__module__) for f in all_families()}
    for path in TEMPLATES:
        name = str(path.relative_to(prose.root()))
        assert name in modules or path.name.startswith("_"), f"{name}: no family module"
