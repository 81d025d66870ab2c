-- Chat identities link a person to their account at a provider: an OAuth/JWT subject (tenant = issuer),
-- a Slack user (tenant = team id) or a Teams user (tenant = tenant id). The column is named for what it
-- holds, and 'oauth' replaces 'mcp', which nothing ever stored: an OAuth identity serves every face.
ALTER TABLE chat_identities RENAME COLUMN platform TO provider;
ALTER TABLE chat_identities DROP CONSTRAINT chat_identities_platform_check;
UPDATE chat_identities SET provider = 'oauth' WHERE provider = 'mcp';
ALTER TABLE chat_identities ADD CONSTRAINT chat_identities_provider_check
  CHECK (provider IN ('oauth', 'slack', 'teams'));
CREATE INDEX chat_identities_person ON chat_identities (workspace_id, person_id);
