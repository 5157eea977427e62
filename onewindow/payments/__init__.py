"""Fees: payment notices of approved cases, the bank's signed callback, daily reconciliation."""
