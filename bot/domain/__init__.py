"""The rules and use cases of Kipinä: circles, prompt runs, answers, a person's own data, learning
coffees, reports. No SDK, no HTTP, no process: a use case gets a database session (in a `Ctx`)
and returns a `Response`, or writes outbox rows for the sender.

core.py is the front door (requests in, responses out, the tick); compose.py says what each outbox
row becomes when it is sent; jobs.py plans the daily and weekly jobs. Below them, in the order they
may import each other: commands (the grammar) < shared (context, people, rhythm, rotation, views,
audit, the outbox rows) < reports, pairs < circles < personal.
"""
