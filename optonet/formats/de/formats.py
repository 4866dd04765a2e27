"""German: a time of day always with "Uhr" ("14:00 Uhr", "22. November 2026, 14:00 Uhr").

Time spans add "Uhr" once in their translation ("14:00–17:00 Uhr"), so templates print the two
times of a span with the bare "H:i" and single times with TIME_FORMAT.
"""

TIME_FORMAT = r"H:i \U\h\r"
DATETIME_FORMAT = r"j. F Y, H:i \U\h\r"
SHORT_DATETIME_FORMAT = r"d.m.Y, H:i \U\h\r"
