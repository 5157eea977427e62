"""一件事 applications: one form, one material list, one acceptance; one child case per item, run in parallel."""
