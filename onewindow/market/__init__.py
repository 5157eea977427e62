"""中介超市 (issue 19; RULES.md "Intermediary market"): agencies admitted and graded, owners'
purchases with open selection (direct, random draw, lowest price, best value) inside time and
price caps, contracts, delivery watched by supervision, two-way evaluation and yearly grades A–D.
A platform module beside ratings and hotline (independent of them): it reads accounts, projects
and workdays."""
