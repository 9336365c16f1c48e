"""What every use case shares: the context of a request, people, rhythm and rotation, message
views, the audit log and the outbox rows."""
