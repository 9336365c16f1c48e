"""Running the bot over time: the jobs the minute tick plans from the database."""
