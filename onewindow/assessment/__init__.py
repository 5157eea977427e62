"""月度考核 (issue 17 item 5): the monthly 1000-point score of windows and officers from
configurable rules, computed from the records (on-time rate, ratings, complaints, violations and
cards, attendance, queue figures), the ranking, and the awards (红旗窗口、服务标兵) hall management
confirms. Read-only over the modules below; it writes its own tables only (the scores, the
awards and the attendance check-ins its devices post)."""
