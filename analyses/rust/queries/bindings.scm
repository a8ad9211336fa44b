; Places that bind variables, with the pattern holding the names: `let`, fn and closure
; parameters, `for` loops, `if let` / `while let` conditions and `match` arms. A closure's
; untyped parameter list is its own pattern (typed ones also match as `parameter`).
; Used by: rust/bindings.py (`declared_names`: the variables declared in a fn or closure, for
; the pinning / capture / temporary fixes).
;
; @binder   the binding construct
; @pattern  the pattern whose identifiers it binds
(let_declaration pattern: (_) @pattern) @binder
(parameter pattern: (_) @pattern) @binder
(for_expression pattern: (_) @pattern) @binder
(let_condition pattern: (_) @pattern) @binder
(match_arm pattern: (_) @pattern) @binder
((closure_parameters) @binder @pattern)
