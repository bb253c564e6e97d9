"""Open data layers: facts fetched from public sources, kept apart from the user's tables.

A layer is one rebuildable file next to the database (see paths.opendata_layer_path); the
catalogue index merges it in with origin "wikidata". Checked catalogue facts win over it, and
anything the user entered wins over both.
"""
