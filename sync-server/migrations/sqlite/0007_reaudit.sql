-- A corrective action verified by a re-audit names it.
ALTER TABLE m_actions ADD COLUMN verified_record TEXT;
