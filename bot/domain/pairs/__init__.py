"""Learning coffees: a mentor turns pairing on in a circle (a large "coffee" channel of hundreds
works as well as a team of ten); every round puts each active member in a pair, or one triple, with
someone new (matching.py, a pure function), introduces them with a conversation starter from the
library (a Slack group DM, or a DM each), and a few working days later asks each of them "did you
meet?". A person's history is theirs alone; HR sees counts (bot/domain/reports/coffees.py).

rounds.py plans (the tick, `pairs now`), inputs.py reads what the matching needs, view.py writes the
messages, use_cases.py answers the commands and buttons, data.py exports and erases.
"""
