"""How a postal code and a phone number are written: one pattern each, for feeds and forms."""

import re

# 123-4567, the hyphen optional.
POSTAL_CODE = re.compile(r"[0-9]{3}-?[0-9]{4}")
# Japanese numbers with or without hyphens (03-1234-5678, 09012345678), or +81 and the rest.
PHONE = re.compile(r"\+?[0-9][0-9-]{8,15}")
