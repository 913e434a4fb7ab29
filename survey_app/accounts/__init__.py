"""Accounts: users, roles, passwords, sessions and guards."""
