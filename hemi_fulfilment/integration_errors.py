"""Errors every integration shares, so that jobs and admin pages handle them alike."""

from __future__ import annotations


class NoUsableToken(Exception):
    """No access token can be had for an account or connection now; ``str()`` says why and
    what to do, for people. Each integration raises its own kinds of it."""
