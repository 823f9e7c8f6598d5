"""A seller's consent for an eBay connection: the consent flow and the token lifecycle.

``consent``: Connect to eBay (state, consent URL, the callback's code exchange).
``tokens``: a valid access token, refreshed under a lock; Reconnect required, alerts and
the beat jobs' refresh and expiry warnings. ``errors``: why no token can be had.
"""
