"""Outcome pulses: a short questionnaire on the programme's goals (learning from colleagues, trust in
the circle, motivation, coping with uncertainty, ownership of one's learning), sent by DM on HR's
rhythm for the workspace or a mentor's for one circle, answered on a labelled 1–5 scale or "rather
not say".

rounds.py plans (the tick, `pulse now`), use_cases.py answers the commands and the form, view.py
writes the messages, results.py counts what HR sees under the group-size rule, data.py is a
person's own (journal, export, erasure), summary.py is the pulse part of the weekly summary.
"""
