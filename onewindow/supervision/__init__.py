"""电子监察 (issue 16; RULES.md "Supervision"): the watchers' module. It reads the case light
(cases.clock_rules, one definition), urges (催办) the handler at yellow and escalates (督办) to
the department head at red, once per case and light (Urge), and keeps the violation register
(Violation) with the supervisor's decisions and the cards they lead to (cards.py)."""
