"""Developer tools (generated history, ...): imported only by the command line."""
