"""Which German sentences render which English ones."""
