"""The client's own side: the pages a client opens by a link (no account), and the therapist's review."""
