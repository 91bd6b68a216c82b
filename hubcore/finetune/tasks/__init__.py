"""Tasks: BasicTask (a head on a module's encoder) and the standard tasks built on its override points."""
