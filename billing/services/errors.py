class BillingError(Exception):
    """A billing request that cannot be done as asked; the message is for the user."""
