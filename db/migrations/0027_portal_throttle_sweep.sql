-- The portal's sign-in throttle forgets old requests: each hit clears a few rows past a day (internal.portal_hit),
-- found through this index; before, a subject that never came back (an address, a mistyped email) kept its rows.
-- depends: 0026_time_zone_names

create index index_portal_throttle_on_at on internal.portal_throttle (at);
