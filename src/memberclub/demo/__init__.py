"""Demo data for `memberclub demo`: a few hundred contracts and members of both programs."""
