"""The atlas: searchable muscle and condition pages with their pictures."""
