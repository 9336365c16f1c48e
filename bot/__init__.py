"""Kipinä: keeps peer-learning conversations alive on Slack, Teams and the console."""
