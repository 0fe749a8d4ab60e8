"""Team submissions: versions, files, the gallery."""
