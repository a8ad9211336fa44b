; `RefCell` borrows: method calls `x.borrow()`, `x.borrow_mut()`, `x.try_borrow()`,
; `x.try_borrow_mut()`, also with a turbofish (`x.borrow::<T>()`).
; Used by: fixes/guards/cells.py (`_borrow_receiver`: which cell a guard held across an
; `.await` borrows, to tell whether the future owns it).
;
; @call      the whole call expression
; @receiver  the value the method is called on (`x`, `self.cell`)
; @method    the method name
((call_expression
   function: (field_expression
     value: (_) @receiver
     field: (field_identifier) @method)) @call
 (#any-of? @method "borrow" "borrow_mut" "try_borrow" "try_borrow_mut"))

((call_expression
   function: (generic_function
     function: (field_expression
       value: (_) @receiver
       field: (field_identifier) @method))) @call
 (#any-of? @method "borrow" "borrow_mut" "try_borrow" "try_borrow_mut"))
