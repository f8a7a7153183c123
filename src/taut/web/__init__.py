"""The web app for therapists: server-rendered pages (Jinja2) and a JSON API under /api/v1, over the services."""
