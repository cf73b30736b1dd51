"""班组长 toolkit (team leader): agent development profiles, training needs from evidence,
coaching sessions with SMART targets and follow-up, and the team-leader task tracker
(seed 001, the CCOM-TLP programme, chapters 4 and 6)."""
