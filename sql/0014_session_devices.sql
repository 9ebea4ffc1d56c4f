-- The device a session was opened from, so an operator can show her which logins exist before revoking them
-- (`penhas users sessions list`). Only the User-Agent header, cut to 300 characters; never the token or an IP.
ALTER TABLE clientes_active_sessions ADD COLUMN user_agent VARCHAR(300);
