"""The office's own work on the findings and the figures, kept beside the warehouse so a rebuild never loses it.

- `states`: the words of review states, follow-up outcomes, correction fields and logged actions (zh/en).
- `store`: the store itself (SQLite, `<warehouse stem>.review.sqlite` beside the warehouse): review marks keyed
  by finding id, corrections (overrides) of a report's date, an agency's place/level/kind or a cell's value,
  and the append-only log of every change with its user.
- `overrides`: how the build applies the corrections (the printed value kept beside the applied one).
- `follow`: after a build, whether each marked finding is still open, rectified by a republished report,
  withdrawn (gone from the same report) or no longer loaded.
"""
