"""Admin of OC's SKU catalogue and what it adds to Hemi's products and the OC accounts."""
