-- Open and click tracking of campaign messages (issue 14), recorded only while the society has
-- turned it on (`mail.tracking`, off by default): one row per campaign and recipient, with the
-- first time the message was opened (its image loaded, or a link followed) and the first time
-- one of its links was followed. Each is written once, by one conditional statement, however
-- many requests arrive at the same moment. Test sends are never tracked.
CREATE TABLE mail_tracking (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    opened_at   BIGINT,
    clicked_at  BIGINT,
    PRIMARY KEY (campaign_id, member_id)
);
