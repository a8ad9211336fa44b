; Every `use` declaration in the searched node (top level, inside `mod`s and fn bodies) with
; the path tree it brings into scope.
; Used by: fixes/use_lines.py `imports()` (and through it everything that reads or edits `use`
; lines).
;
; @declaration  the `use …;` item
; @argument     its argument: a path, `a::{b, c}`, `a as b`, `a::*`
(use_declaration
  argument: (_) @argument) @declaration
