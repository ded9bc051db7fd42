"""Pure-Python engine of the Google Calendar sync: Google client, OAuth client, mapping, sync."""
