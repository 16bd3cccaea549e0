-- The search text is now written as words of letters and the digits 0-9,
-- lower case, the accents of Latin letters taken off, on both stores.
-- SQLite's index already folded accents and case itself (unicode61
-- remove_diacritics 2): what it holds stays as it is. (The same version on
-- both stores keeps their migrations in step.)
SELECT 1;
