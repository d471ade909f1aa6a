// Per-file setup: nothing global beyond a stable timezone for anything that formats dates.
process.env.TZ = 'UTC';
