-- A copy of this database (staging, tests) must never synchronize with production calendars:
-- no sync state, no push channel, no binding to production's Google events, a new link
-- namespace, and the synchronization paused (google_account's neutralization clears the tokens).
UPDATE google_calendar_sync
   SET sync_token = NULL, retry_google_ids = NULL, running_since = NULL, synced_email = NULL,
       channel_id = NULL, channel_token = NULL, channel_resource_id = NULL, channel_expires_at = NULL;
DELETE FROM google_calendar_sync_request;
DELETE FROM google_calendar_binding;
DELETE FROM ir_config_parameter
 WHERE key IN ('google_calendar_sync.namespace', 'google_calendar_sync.webhook_base_url');
INSERT INTO ir_config_parameter (key, value, create_date, write_date)
VALUES ('google_calendar_sync.paused', 'True', now() at time zone 'UTC', now() at time zone 'UTC')
ON CONFLICT (key) DO UPDATE SET value = 'True';
