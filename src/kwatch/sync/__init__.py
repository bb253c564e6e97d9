"""Sync between the user's machines through a folder they already sync (Syncthing, Dropbox,
a git repository...): each device writes only its own immutable chunk files there and reads
everyone else's; the SQLite file itself never travels. See engine.py for the merge rules."""
