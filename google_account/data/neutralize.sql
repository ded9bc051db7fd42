-- A copied database (staging, test) must never act on the users' Google accounts.
UPDATE google_account
   SET access_token = NULL,
       access_token_expires_at = NULL,
       refresh_token = NULL,
       refresh_token_expires_at = NULL,
       state = 'disconnected',
       last_error = NULL;
DELETE FROM google_oauth_state;
