-- Sessions of multi-day activities carry their member, so bulk readers (the staff CE
-- compliance report, reminders) find a range of members' sessions by index instead of
-- joining every session to its activity.
ALTER TABLE ce_activity_sessions ADD COLUMN member_id BIGINT;
UPDATE ce_activity_sessions s SET member_id = a.member_id FROM ce_activities a WHERE a.id = s.activity_id;
ALTER TABLE ce_activity_sessions ALTER COLUMN member_id SET NOT NULL;
CREATE INDEX ce_activity_sessions_member ON ce_activity_sessions (member_id, activity_id);
