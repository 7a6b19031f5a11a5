"""The 考评 (assessment) of agencies' annual reports: the office's rules and points (`rules`, a CSV it edits),
each agency's score from the findings that are accusations (`score`), and the Excel score sheet with the
deduction behind every point and each agency's 整改 list (`sheet`)."""
