; Every `.await` expression in the searched node (closures and async blocks included: the
; caller decides which ones belong to the same future).
; Used by: fixes/rc_to_arc/locks.py (`_awaits_in`: a lock guard must not live across an
; `.await` of the same fn, closure or async block).
;
; @await  the `expr.await` expression
(await_expression) @await
