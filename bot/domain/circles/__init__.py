"""Circles and what happens in them: the mentor's commands (use_cases), prompt runs with their
reminders and recaps (runs), and members' answers (answers)."""
