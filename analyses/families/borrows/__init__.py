"""Families of borrows and ownership: values that do not live long enough, conflicting or
escaping borrows, closures that may outlive their data, temporaries."""
