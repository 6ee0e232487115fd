"""The commands beside `build`: ingest, fetch/enrich (the only code that uses the network),
init, serve, check, eval."""
