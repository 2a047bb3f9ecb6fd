"""The applications over the library: the command line, the server, the corpus run."""
