"""The JSON API under /api/v1, over the same services as the pages."""
