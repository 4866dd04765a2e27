"""English: the 24-hour clock the portal shows everywhere ("14:00"), not Django's "2 p.m."."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
