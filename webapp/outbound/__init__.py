"""The one way out to trackers: deny-list, timeouts, TLS, scrubbing, stage results
and the words that explain a failed request. Knows no tracker.
"""
