"""好差评 (issue 17; RULES.md "Ratings"): the citizen's rating of a service (一事一评 online, 一次一评
on site) through every channel, the bad-rating loop (回访、整改、反馈、追评、申诉复核) and complaints
(投诉). A platform module: it reads cases and the queue and is read by supervision and the
read-only modules (stats, assessment)."""
