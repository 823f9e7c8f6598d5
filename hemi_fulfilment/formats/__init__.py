"""One date format across the admin: ISO dates, 24-hour times with seconds.

Order matters on these pages (a run before its calls, a status before the next), so
times carry seconds; ``FORMAT_MODULE_PATH`` puts these above the locale's own formats.
"""
