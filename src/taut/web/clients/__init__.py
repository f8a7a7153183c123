"""Clients: the list with search, new client, details, and the chart timeline."""
