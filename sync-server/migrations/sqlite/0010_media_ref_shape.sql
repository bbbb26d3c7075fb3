-- The size and type each record gives a media file it references: only
-- the record's people may upload it, and only with these (a file opened
-- first with a wrong size or type could otherwise never be uploaded).
-- References stored before this have neither and are taken as they come.
ALTER TABLE media_refs ADD COLUMN mime TEXT;
ALTER TABLE media_refs ADD COLUMN size BIGINT;
