"""Security plumbing shared by every sign-in path: the client address and the sign-in throttle.

Not an app: plain modules that views of the public and tenant hosts import.
"""
