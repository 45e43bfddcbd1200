-- Sessions of multi-day activities carry their member, so bulk readers (the staff CE
-- compliance report, reminders) find a range of members' sessions by index instead of
-- joining every session to its activity.
ALTER TABLE ce_activity_sessions ADD COLUMN member_id INTEGER NOT NULL DEFAULT 0;
UPDATE ce_activity_sessions
   SET member_id = (SELECT a.member_id FROM ce_activities a WHERE a.id = ce_activity_sessions.activity_id);
CREATE INDEX ce_activity_sessions_member ON ce_activity_sessions (member_id, activity_id);
