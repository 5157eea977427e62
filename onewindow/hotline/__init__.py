"""12345 市民热线 (issue 18; RULES.md "Hotline"): work orders from every channel, dispatched to
departments and followed to the caller's callback, with deadlines watched by supervision, reply
templates and a knowledge base, figures, and an Open311 GeoReport v2 interface. A platform module
beside ratings (independent of it): it reads accounts, catalog and workdays."""
