"""Returns from OC (Returns 2.0): the import, the returned stock, and the RMA actions."""
