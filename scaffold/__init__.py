"""The template's own logic: naming, validation and pruning, shared by the hooks and the tests."""
