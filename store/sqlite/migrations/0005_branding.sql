-- Branding: how the dashboard presents an org. Empty means the defaults.
ALTER TABLE orgs ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN primary_color TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
