-- Settings values that carry a secret (an ICS feed URL, a URL with user:password@ or ?token=) are stored
-- sealed under the master key here; `settings` keeps only their redacted form. Rows written before this
-- migration are sealed by the application at start (it alone holds the key).
ALTER TABLE connections ADD COLUMN settings_secret_encrypted text;
