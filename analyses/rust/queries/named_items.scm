; Named items: structs, enums, unions, type aliases, traits and fns (free fns, methods of
; impls and traits, fns nested in bodies), each with its name.
; Used by: rust/items.py `named_items()`, and through it fixes/rc_to_arc (the structs and fns
; a conversion follows values into, local types that must be thread-safe, names already
; taken), fixes/hrtb.py (types a closure annotation may name, the fn to un-pin from
; `'static`), fixes/spawn.py (structs whose fields must be owned and `Send`), the trait
; families (traits and their `async fn`s) and hrtb_not_general_enough.py (the file's
; `async fn`s).
;
; @item  the item; its kind is the node type (struct_item, enum_item, union_item,
;        type_item, trait_item, function_item)
; @name  its name
[
  (struct_item name: (_) @name)
  (enum_item name: (_) @name)
  (union_item name: (_) @name)
  (type_item name: (_) @name)
  (trait_item name: (_) @name)
  (function_item name: (_) @name)
] @item
