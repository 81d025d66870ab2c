-- Where and when each block was last written to a calendar, so an unchanged block costs no API call.
ALTER TABLE blocks ADD COLUMN calendar_written_start timestamptz;
ALTER TABLE blocks ADD COLUMN calendar_written_end timestamptz;
