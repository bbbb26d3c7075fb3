-- With the embedded SQLite engine there is one server, and media stay in
-- its data folder (media/). The PostgreSQL engine keeps them in the
-- database (its 0012); this keeps the two histories numbered alike.
SELECT 1;
