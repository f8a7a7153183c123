"""The clinic team: the owner lists and adds users with their roles."""
