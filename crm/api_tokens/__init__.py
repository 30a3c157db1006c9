"""API tokens: named, scoped (read / read-write), stored only as a hash, revocable, revoked
whenever the owner's password changes."""
