-- The search text is now written as SQLite's index reads it: words of
-- letters and the digits 0-9, lower case, the accents of Latin letters
-- taken off (café is cafe). Fold the accents out of the words already
-- indexed, keeping their places (a phrase is still found).
UPDATE tickets SET search = COALESCE((
	SELECT string_agg(quote_literal(w.lexeme) || ':' || array_to_string(w.positions, ','), ' ')::tsvector
	FROM (SELECT CASE WHEN lexeme ~ '^[\u0001-\u024f\u1e00-\u1eff]+$'
			THEN regexp_replace(normalize(lexeme, NFD), '[\u0300-\u036f]', '', 'g') ELSE lexeme END AS lexeme, positions
		FROM unnest(search)) w
	WHERE w.lexeme <> ''), ''::tsvector)
WHERE search::text ~ '[\u00c0-\u024f\u1e00-\u1eff]';
