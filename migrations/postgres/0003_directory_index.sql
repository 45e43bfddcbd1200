-- The member directory searches current members (standing IN …) by name prefix; with
-- this index both engines find them with one range scan per standing instead of
-- reading every current member (SQLite picked members_standing without statistics).
CREATE INDEX members_standing_name ON members (standing, search_name);
