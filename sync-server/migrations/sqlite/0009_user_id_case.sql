-- User names are compared without regard to case: `Admin` and `admin`
-- are one user. New names are kept in lower case; this index keeps two
-- names that differ only in case from being created, and serves sign-in.
-- (It fails on a database that already holds such a pair: rename one
-- first.)
CREATE UNIQUE INDEX users_user_id_lower ON users (lower(user_id));
