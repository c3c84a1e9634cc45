-- The number a workspace's emergency replies name ("999", "112"); empty
-- means the number of each member's time zone.
ALTER TABLE workspaces ADD COLUMN emergency_number TEXT NOT NULL DEFAULT '';
