"""OC's SKU catalogue: the SKU sync, registering products, labels and EF services."""
