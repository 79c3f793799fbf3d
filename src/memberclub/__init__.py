"""memberclub: a members club and points platform for subscription businesses."""
