"""The portal's own date and time formats (FORMAT_MODULE_PATH), on top of Django's per language.

German says "Uhr" after a time of day (14:00 Uhr); English keeps the 24-hour clock the pages
have always shown (14:00). Anything not set here comes from Django's locale formats.
"""
