"""Processes: the command line (cli), the composition root (app), the long-running service with its
web app, clock and leader, and the sender of the outbox (sending/)."""
