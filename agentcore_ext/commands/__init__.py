"""One module per command group; each registers itself on the Typer app and imports heavy modules lazily."""
