"""E-licenses issued from approved cases: verification, revocation, expiry, sharing; delivery of the result."""
