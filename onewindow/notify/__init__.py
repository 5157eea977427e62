"""Messages to applicants (SMS): an outbox written in the event's transaction, sent by `manage.py worker`."""
