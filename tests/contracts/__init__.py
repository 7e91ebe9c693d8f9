"""Tracker API contracts (subsets of the official descriptions) and their checker."""
