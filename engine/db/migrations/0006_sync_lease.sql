-- A lease per connection so that only one process syncs a connection at a time, across workers.
ALTER TABLE connections ADD COLUMN sync_lease_owner text;
ALTER TABLE connections ADD COLUMN sync_lease_until timestamptz;
