"""The `use`-line engine (`fixes/use_lines.py` reads, `fixes/use_edits.py` writes): what a
file imports per module scope, and the `use` edits that go with a fix's edits."""

from __future__ import annotations

from borrowlens.analyses.fixes import use_edits, use_lines
from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.syntax import ancestors, parse


def test_imports_reads_nested_use_lists() -> None:
    file = SourceFile("src/lib.rs", parse("use std::{rc::Rc, sync::{Arc as A, *}};\n"))
    assert [(i.path, i.name) for i in use_lines.imports(file)] == [
        ("std::rc::Rc", "Rc"), ("std::sync::Arc", "A"), ("std::sync::*", "*")]


def _applied(file: SourceFile, edits: list) -> str:  # type: ignore[type-arg]
    return file.apply([e for e in edits if e is not None])


def test_add_import_goes_into_the_module_scope() -> None:
    text = ("use std::rc::Rc;\n\nmod inner {\n    use std::fmt;\n\n    pub fn f() {}\n}\n"
            "mod bare {\n    #![allow(dead_code)]\n    pub fn g() {}\n}\n")
    file = SourceFile("src/lib.rs", parse(text))
    inner, bare = use_lines.module_scopes(file)[1:]
    assert "    use std::fmt;\n    use std::sync::Arc;\n" in _applied(
        file, [use_edits.add_import(file, "std::sync::Arc", inner)])
    assert "    #![allow(dead_code)]\n    use std::sync::Arc;\n    pub fn g" in _applied(
        file, [use_edits.add_import(file, "std::sync::Arc", bare)])
    # The root's own `use` does not count for a nested module, and vice versa.
    assert use_edits.add_import(file, "std::rc::Rc", inner) is not None
    assert use_edits.add_import(file, "std::rc::Rc") is None
    assert use_lines.imports_name(file, "fmt", "std::fmt", inner)
    assert not use_lines.imports_name(file, "fmt", "std::fmt", file.root)


def test_import_edits_work_per_module() -> None:
    text = ("use std::future::Future;\n\nmod a {\n    use std::future::Future;\n"
            "    pub fn f<F: Future>(_: F) {}\n}\n\npub fn g<F: Future>(_: F) {}\n")
    file = SourceFile("src/lib.rs", parse(text))
    inner = use_lines.module_scopes(file)[1]
    bound = next(n for n in file.identifiers("Future", within=inner)
                 if n.parent is not None and n.parent.type == "trait_bounds")
    edits = [file.replace(bound.parent, ": Send")]  # type: ignore[arg-type]
    after = _applied(file, edits + (use_edits.import_edits(file, edits,
                                                           drop=["std::future::Future"]) or []))
    assert after.count("use std::future::Future;") == 1
    assert after.startswith("use std::future::Future;")


def test_import_edits_keep_what_a_glob_child_reads() -> None:
    text = ("use std::rc::Rc;\n\npub fn f() -> u8 { 1 }\n\n"
            "mod tests {\n    use super::*;\n    fn t() { let _ = Rc::new(1); }\n}\n")
    file = SourceFile("src/lib.rs", parse(text))
    assert use_edits.import_edits(file, [file.edit_bytes(0, 0, "")],
                                  drop=["std::rc::Rc"]) == []


def _renamed(file: SourceFile, renames: dict[str, str]) -> list[TextEdit]:
    """Edits renaming every use of the names outside `use` lines, the way a fix would."""
    return [file.replace(node, new) for old, new in renames.items()
            for node in file.identifiers(old)
            if not any(a.type == "use_declaration" for a in ancestors(node))]


def test_new_paths_of_one_module_share_a_line_in_place_of_the_old_one() -> None:
    text = ("use std::rc::Rc;\nuse std::cell::RefCell;\n\n"
            "fn f() -> Rc<RefCell<u8>> {\n    Rc::new(RefCell::new(1))\n}\n")
    file = SourceFile("src/lib.rs", parse(text))
    edits = _renamed(file, {"Rc": "Arc", "RefCell": "Mutex"})
    extra = use_edits.import_edits(file, edits, add=["std::sync::Arc", "std::sync::Mutex"],
                                   drop=["std::rc::Rc", "std::cell::RefCell"])
    assert extra is not None
    assert file.apply(edits + extra) == (
        "use std::sync::{Arc, Mutex};\n\n"
        "fn f() -> Arc<Mutex<u8>> {\n    Arc::new(Mutex::new(1))\n}\n")


def test_a_new_path_joins_an_existing_list_of_its_module() -> None:
    text = "use std::sync::{Mutex};\nuse std::rc::Rc;\n\nfn f() -> Rc<u8> { Rc::new(1) }\n"
    file = SourceFile("src/lib.rs", parse(text))
    edits = _renamed(file, {"Rc": "Arc"})
    extra = use_edits.import_edits(file, edits, add=["std::sync::Arc"], drop=["std::rc::Rc"])
    assert extra is not None
    assert file.apply(edits + extra) == (
        "use std::sync::{Mutex, Arc};\n\nfn f() -> Arc<u8> { Arc::new(1) }\n")


def test_an_added_name_that_would_clash_with_a_kept_import_is_refused() -> None:
    text = "use std::rc::Weak;\n\nfn f(w: Weak<u8>) {}\nfn g(x: Weak<u8>) {}\n"
    file = SourceFile("src/lib.rs", parse(text))
    first = file.identifiers("Weak")[1]  # `g` keeps its `std::rc::Weak`
    assert use_edits.import_edits(file, [file.replace(first, "Weak")],
                                  add=["std::sync::Weak"], drop=["std::rc::Weak"]) is None


def test_paths_of_one_list_go_together() -> None:
    file = SourceFile("src/lib.rs", parse("use std::{rc::Rc, cell::RefCell, fmt};\n\nfn f() {}\n"))
    extra = use_edits.import_edits(file, [file.edit_bytes(0, 0, "")],
                                   drop=["std::rc::Rc", "std::cell::RefCell"])
    assert extra is not None
    assert file.apply(extra) == "use std::{fmt};\n\nfn f() {}\n"
