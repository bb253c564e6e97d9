"""Release dates: the query rules (query), the user's own records (records), the daily reminder
(remind), the iCalendar feed (ical) and the refresh from open data (refresh, kobis, tmdb)."""
