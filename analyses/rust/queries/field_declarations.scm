; Named field declarations (`name: Type`) of structs, unions and struct-like enum variants.
; Used by: fixes/rc_to_arc (the struct field a conversion starts from or reaches) and
; thread_spawn_not_send.py (does a field of this name hold a non-`Send` type?).
;
; @field  the field declaration; its `name` and `type` are read from the node
(field_declaration) @field
